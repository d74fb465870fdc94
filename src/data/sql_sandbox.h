// The rules a transform's SQL must follow before it runs: one SELECT (or WITH ... SELECT)
// statement that reads only the view `input`, its own CTEs and a few generator functions.
#pragma once

#include <string_view>

#include "common/status.h"

namespace aimass::data {

// Refuses (kInvalidArgument, naming what was refused) anything but a single SELECT:
// ATTACH, INSTALL, LOAD, COPY, SET, PRAGMA, CREATE, INSERT, EXPORT, several statements,
// file-reading table functions (read_csv('/etc/passwd'), FROM 'file.csv') and tables other
// than `input`, and scalar calls refused by ScalarCallRefusal (sql_value_limits.h). Parses
// with DuckDB's own parser, on an engine without file access; runs nothing. Thread-safe.
Status CheckTransformSql(std::string_view sql);

}  // namespace aimass::data
