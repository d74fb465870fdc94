// `notify`: POSTs a JSON message about the run to a webhook, signed with HMAC-SHA256 when a
// secret is configured, under the same SSRF defences as URL imports (data/url_post.h).
#include <sodium.h>

#include <cctype>
#include <cstdlib>

#include "common/time_format.h"
#include "data/url_post.h"
#include "pipelines/steps/builtin_steps.h"
#include "pipelines/steps/step_params.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

// An environment variable's name as shells write them.
// Only variables meant for webhooks: a pipeline's author must not be able to sign with
// (and so use as an HMAC oracle) any other secret of the server's environment.
constexpr std::string_view kSecretEnvPrefix = "AIMASS_WEBHOOK_";

bool IsEnvName(const std::string& name) {
  if (!name.starts_with(kSecretEnvPrefix) || name.size() == kSecretEnvPrefix.size()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Hex HMAC-SHA256 of `message` under `key` (of any length).
std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

class NotifyStep final : public StepType {
 public:
  explicit NotifyStep(const StepServices& services) : services_(services) {}

  std::string name() const override { return "notify"; }
  std::string help() const override {
    return "POSTs a signed JSON message to a webhook on the import allow-list";
  }
  std::vector<ParamSpec> params() const override {
    return {{"url", ValueType::kString, true, "the webhook, http(s) on the import allow-list"},
            {"secret_env", ValueType::kString, false,
             "the server's environment variable holding the HMAC key"},
            {"message", ValueType::kString, false, "a line for people"},
            {"data", ValueType::kObject, false, "anything else to send"}};
  }
  std::vector<OutputSpec> outputs() const override {
    return {{"status", ValueType::kNumber, "the HTTP status the webhook answered"}};
  }

  Status CheckLiterals(const json& with) const override {
    AIMASS_RETURN_IF_ERROR(CheckString(with, "url", data::ParseFetchUrl));
    AIMASS_ASSIGN_OR_RETURN(auto secret_env, OptionalString(with, "secret_env"));
    if (secret_env && !IsReference(*secret_env) && !IsEnvName(*secret_env)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "parameter 'secret_env' must name an environment variable that starts with "
                  "AIMASS_WEBHOOK_ (then letters, digits and '_', e.g. AIMASS_WEBHOOK_SECRET), "
                  "not '" +
                      *secret_env + "'");
    }
    AIMASS_RETURN_IF_ERROR(OptionalString(with, "message"));
    AIMASS_RETURN_IF_ERROR(ObjectOr(with, "data"));
    return Ok();
  }

  Result<json> Run(const StepInput& input, jobs::JobContext& context) override {
    AIMASS_RETURN_IF_ERROR(CheckLiterals(input.with));
    AIMASS_ASSIGN_OR_RETURN(std::string url, RequiredString(input.with, "url"));
    AIMASS_ASSIGN_OR_RETURN(auto secret_env, OptionalString(input.with, "secret_env"));
    AIMASS_ASSIGN_OR_RETURN(auto message, OptionalString(input.with, "message"));
    AIMASS_ASSIGN_OR_RETURN(json data, ObjectOr(input.with, "data"));
    const int64_t now = services_.clock.NowMillis();
    const std::string timestamp = std::to_string(now / 1000);
    const std::string body =
        json{{"pipeline", input.pipeline},      {"run", input.run_id}, {"step", input.step},
             {"message", message.value_or("")}, {"data", data},        {"sent_at", IsoTime(now)}}
            .dump();
    data::PostRequest request;
    request.url = url;
    request.body = body;
    request.headers.emplace_back("X-Aimass-Timestamp", timestamp);
    if (secret_env) {
      const char* secret = std::getenv(secret_env->c_str());
      if (secret == nullptr || *secret == '\0') {
        return Fail(ErrorCode::kInvalidArgument,
                    "parameter 'secret_env': the server has no environment variable '" +
                        *secret_env +
                        "' (or it is empty); set it where `aimass serve` runs, "
                        "or leave secret_env out to send unsigned");
      }
      request.headers.emplace_back("X-Aimass-Signature",
                                   "sha256=" + HmacSha256Hex(secret, timestamp + "." + body));
    }
    AIMASS_ASSIGN_OR_RETURN(auto hosts, services_.store.ListImportHosts());
    data::FetchOptions options;
    for (const auto& host : hosts) options.allowed_hosts.push_back(host.host);
    options.io_timeout = services_.notify_timeout;
    options.total_timeout = services_.notify_timeout;
    auto answer = data::PostToUrl(request, options);
    if (!answer) return Fail(InParam("url", answer.error()));
    const std::string shown = data::RedactUrl(url);
    if (answer->status < 200 || answer->status > 299) {
      return Fail(ErrorCode::kUnavailable,
                  "the webhook " + shown + " answered " + std::to_string(answer->status) + " " +
                      answer->reason + "; it must answer 2xx to take the message");
    }
    context.Log("notified " + shown + ": " + std::to_string(answer->status));
    return json{{"status", answer->status}};
  }

 private:
  StepServices services_;
};

}  // namespace

std::unique_ptr<StepType> MakeNotifyStep(const StepServices& services) {
  return std::make_unique<NotifyStep>(services);
}

}  // namespace aimass::pipelines
