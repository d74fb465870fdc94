#include "train/learners/xgboost/model_syntax.h"

#include <nlohmann/json.hpp>
#include <string>

namespace aimass::train::xgb {
namespace {

using nlohmann::json;

// Accepts every event and remembers the first error: validation without a document.
class Validator final : public json::json_sax_t {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(json::number_integer_t) override { return true; }
  bool number_unsigned(json::number_unsigned_t) override { return true; }
  bool number_float(json::number_float_t, const json::string_t&) override { return true; }
  bool string(json::string_t&) override { return true; }
  bool binary(json::binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(json::string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& error) override {
    message = "at byte " + std::to_string(position) + ": " + error.what();
    return false;
  }

  std::string message;
};

}  // namespace

Status CheckModelSyntax(std::string_view bytes) {
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || bytes[first] != '{') {
    return Fail(ErrorCode::kInvalidArgument,
                "the file is not JSON or UBJSON (save it as .json or .ubj; the old binary format "
                "is not read)");
  }
  // JSON text follows '{' with a key's quote, white space or '}'; UBJSON with a length's
  // type marker or an optimized container's '$' or '#'.
  const size_t next = bytes.find_first_not_of(" \t\r\n", first + 1);
  const bool text = next == std::string_view::npos || bytes[next] == '"' || bytes[next] == '}' ||
                    next != first + 1;
  Validator validator;
  bool ok = false;
  try {
    ok = text ? json::sax_parse(bytes.begin(), bytes.end(), &validator)
              : json::sax_parse(bytes.begin(), bytes.end(), &validator,
                                json::input_format_t::ubjson);
  } catch (const json::exception& error) {
    validator.message = error.what();
  }
  if (ok) return Ok();
  return Fail(ErrorCode::kInvalidArgument, std::string("its ") + (text ? "JSON" : "UBJSON") +
                                               " is damaged or cut short (" + validator.message +
                                               "); save it again");
}

}  // namespace aimass::train::xgb
