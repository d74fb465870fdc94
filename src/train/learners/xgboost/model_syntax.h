// XGBoost 1.7's model readers trust the file: its UBJSON reader reads past the end of a
// truncated file (AddressSanitizer caught it on a cut .ubj), and its old binary reader
// allocates whatever sizes the file claims. So a model file is checked here first, with
// nlohmann's bounds-checked parsers and no document built (SAX), before XGBoost sees it.
#pragma once

#include <string_view>

#include "common/status.h"

namespace aimass::train::xgb {

// Ok for a complete JSON text or UBJSON document whose top level is an object (what
// Booster.save_model writes); kInvalidArgument naming the problem otherwise, including
// XGBoost's deprecated binary format.
Status CheckModelSyntax(std::string_view bytes);

}  // namespace aimass::train::xgb
