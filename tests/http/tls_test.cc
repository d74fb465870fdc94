// HTTPS (TLS files, HSTS, Secure cookies, the handshake deadline) and the management listener.
#include "http/tls.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "http/server.h"
#include "http/session_cookie.h"
#include "http/test_client.h"
#include "http/test_server.h"

namespace aimass::http {
namespace {

namespace fs = std::filesystem;
using testing::ClientResponse;
using testing::TestClient;
using testing::TestServer;

// A self-signed EC certificate for 127.0.0.1 and its key, written as PEM files into `dir`.
struct CertFiles {
  fs::path cert, key;
};

CertFiles MakeCert(const fs::path& dir, const std::string& name) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, subject);
  X509_sign(cert, key, EVP_sha256());
  CertFiles files{dir / (name + "-cert.pem"), dir / (name + "-key.pem")};
  FILE* out = std::fopen(files.cert.c_str(), "w");
  PEM_write_X509(out, cert);
  std::fclose(out);
  out = std::fopen(files.key.c_str(), "w");
  PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(out);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir(); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

Router SmallRouter() {
  Router router;
  router.Add(
      {.method = "GET", .pattern = "/hello", .access = Access::kPublic, .handler = [](Request&) {
         return JsonResponse(200, {{"hello", true}});
       }});
  router.Add(
      {.method = "POST", .pattern = "/login", .access = Access::kPublic, .handler = [](Request&) {
         Response response = JsonResponse(200, {{"ok", true}});
         response.headers.emplace_back("Set-Cookie", SetSessionCookie("s3cret", 60));
         return response;
       }});
  router.Add({.method = "GET",
              .pattern = "/admin/users",
              .access = Access::kAdmin,
              .handler = [](Request&) {
                return JsonResponse(200, {{"users", 0}});
              }});
  router.Add(
      {.method = "GET", .pattern = "/metrics", .access = Access::kPublic, .handler = [](Request&) {
         return JsonResponse(200, {{"metrics", 0}});
       }});
  return router;
}

TEST(TlsFlagsTest, BothOrNeitherNamingTheMissingFlag) {
  EXPECT_TRUE(CheckTlsFlags("", ""));
  EXPECT_TRUE(CheckTlsFlags("c.pem", "k.pem"));
  auto no_key = CheckTlsFlags("c.pem", "");
  ASSERT_FALSE(no_key);
  EXPECT_NE(no_key.error().message.find("--tls-key"), std::string::npos);
  auto no_cert = CheckTlsFlags("", "k.pem");
  ASSERT_FALSE(no_cert);
  EXPECT_NE(no_cert.error().message.find("--tls-cert"), std::string::npos);
}

TEST(SecureCookieTest, AddsSecureOnce) {
  EXPECT_EQ(WithSecureAttribute("a=b; Path=/; HttpOnly"), "a=b; Path=/; HttpOnly; Secure");
  EXPECT_EQ(WithSecureAttribute("a=b"), "a=b; Secure");
  EXPECT_EQ(WithSecureAttribute("a=b; secure; Path=/"), "a=b; secure; Path=/");
  // A cookie whose value says "Secure" is not a cookie with the attribute.
  EXPECT_EQ(WithSecureAttribute("Secure=1"), "Secure=1; Secure");
  EXPECT_NE(WithSecureAttribute(SetSessionCookie("x", 5)).find("; Secure"), std::string::npos);
}

Route RouteOf(std::string method, std::string pattern, Access access) {
  Route route;
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.access = access;
  return route;
}

TEST(ManagementRouteTest, AdminRoutesAndMetrics) {
  EXPECT_TRUE(IsManagementRoute(RouteOf("GET", "/metrics", Access::kPublic)));
  EXPECT_TRUE(IsManagementRoute(RouteOf("POST", "/x", Access::kAdmin)));
  EXPECT_FALSE(IsManagementRoute(RouteOf("GET", "/x", Access::kUser)));
}

TEST_F(TlsTest, ContextErrorsNameTheFileAndTheFix) {
  CertFiles good = MakeCert(dir_, "good");
  CertFiles other = MakeCert(dir_, "other");
  EXPECT_TRUE(MakeServerTlsContext(good.cert, good.key));

  auto missing = MakeServerTlsContext(dir_ / "nope.pem", good.key);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("--tls-cert '" + (dir_ / "nope.pem").string() + "'"),
            std::string::npos)
      << missing.error().message;

  auto mismatch = MakeServerTlsContext(good.cert, other.key);
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().message.find("does not match the certificate"), std::string::npos)
      << mismatch.error().message;
  EXPECT_NE(mismatch.error().message.find(other.key.string()), std::string::npos);

  std::ofstream(dir_ / "junk.pem") << "not a certificate\n";
  auto junk = MakeServerTlsContext(dir_ / "junk.pem", good.key);
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message.find("is not a PEM certificate"), std::string::npos);
  auto junk_key = MakeServerTlsContext(good.cert, dir_ / "junk.pem");
  ASSERT_FALSE(junk_key);
  EXPECT_NE(junk_key.error().message.find("is not an unencrypted PEM private key"),
            std::string::npos)
      << junk_key.error().message;
}

TEST_F(TlsTest, StartFailsOnABadKey) {
  CertFiles good = MakeCert(dir_, "good");
  CertFiles other = MakeCert(dir_, "other");
  ServerOptions options;
  options.port = 0;
  options.upload_dir = dir_ / "uploads";
  options.tls_cert_file = good.cert;
  options.tls_key_file = other.key;
  Server server(options, SmallRouter(), testing::TestAuthenticator());
  auto started = server.Start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("does not match"), std::string::npos);
}

// One HTTPS request on a fresh connection (the certificate is not checked here).
ClientResponse HttpsCall(uint16_t port, const std::string& method, const std::string& target) {
  net::io_context ioc;
  ssl::context context(ssl::context::tls_client);
  ssl::stream<tcp::socket> stream(ioc, context);
  stream.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  stream.handshake(ssl::stream_base::client);
  bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), target, 11};
  request.set(bhttp::field::host, "127.0.0.1");
  request.prepare_payload();
  bhttp::write(stream, request);
  beast::flat_buffer buffer;
  ClientResponse response;
  bhttp::read(stream, buffer, response);
  return response;
}

TEST_F(TlsTest, HttpsAnswersWithHstsAndSecureCookies) {
  CertFiles good = MakeCert(dir_, "good");
  ServerOptions options;
  options.tls_cert_file = good.cert;
  options.tls_key_file = good.key;
  TestServer server(SmallRouter(), options);
  ASSERT_TRUE(server.server().tls());

  ClientResponse hello = HttpsCall(server.port(), "GET", "/hello");
  EXPECT_EQ(hello.result_int(), 200);
  EXPECT_EQ(hello[bhttp::field::strict_transport_security], kStrictTransportSecurity);
  EXPECT_EQ(hello["X-Content-Type-Options"], "nosniff");  // security headers stay
  ClientResponse login = HttpsCall(server.port(), "POST", "/login");
  EXPECT_TRUE(std::string(login[bhttp::field::set_cookie]).ends_with("; Secure"))
      << login[bhttp::field::set_cookie];

  // Plain HTTP on the HTTPS port gets no HTTP answer: the connection just closes.
  TestClient plain(server.port());
  ASSERT_FALSE(plain.connect_error());
  EXPECT_FALSE(plain.Call("GET", "/hello"));
}

TEST_F(TlsTest, PlainHttpHasNoHstsNorSecureCookies) {
  TestServer server(SmallRouter());
  TestClient client(server.port());
  auto login = client.Call("POST", "/login");
  ASSERT_TRUE(login);
  EXPECT_EQ((*login).count(bhttp::field::strict_transport_security), 0u);
  EXPECT_EQ(std::string((*login)[bhttp::field::set_cookie]).find("Secure"), std::string::npos);
}

TEST_F(TlsTest, AClientThatNeverHandshakesIsDropped) {
  CertFiles good = MakeCert(dir_, "good");
  ServerOptions options;
  options.tls_cert_file = good.cert;
  options.tls_key_file = good.key;
  options.handshake_timeout = std::chrono::seconds(1);
  TestServer server(SmallRouter(), options);
  TestClient silent(server.port(), std::chrono::seconds(10));
  ASSERT_FALSE(silent.connect_error());
  auto start = std::chrono::steady_clock::now();
  auto read = silent.Read();  // waits for the server to close
  EXPECT_FALSE(read);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(TlsTest, ManagementListenerAloneServesAdminRoutesAndMetrics) {
  ServerOptions options;
  options.management_port = 0;
  TestServer server(SmallRouter(), options);
  const uint16_t management = server.server().management_port();
  ASSERT_NE(management, 0);
  ASSERT_NE(management, server.port());
  const std::vector<std::pair<std::string, std::string>> admin = {
      {"Authorization", "Bearer admin-token"}};

  TestClient main(server.port());
  EXPECT_EQ(main.Call("GET", "/hello")->result_int(), 200);
  EXPECT_EQ(main.Call("GET", "/metrics")->result_int(), 404);
  EXPECT_EQ(main.Call("GET", "/admin/users", "", admin)->result_int(), 404);

  TestClient side(management);
  EXPECT_EQ(side.Call("GET", "/metrics")->result_int(), 200);
  EXPECT_EQ(side.Call("GET", "/admin/users", "", admin)->result_int(), 200);
  EXPECT_EQ(side.Call("GET", "/admin/users")->result_int(), 401);  // still needs the token
  EXPECT_EQ(side.Call("GET", "/hello")->result_int(), 404);
}

TEST_F(TlsTest, WithoutAManagementListenerEverythingIsOnTheMainOne) {
  TestServer server(SmallRouter());
  EXPECT_EQ(server.server().management_port(), 0);
  TestClient main(server.port());
  EXPECT_EQ(main.Call("GET", "/metrics")->result_int(), 200);
  EXPECT_EQ(
      main.Call("GET", "/admin/users", "", {{"Authorization", "Bearer admin-token"}})->result_int(),
      200);
}

}  // namespace
}  // namespace aimass::http
