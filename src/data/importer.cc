#include "data/importer.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <regex>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aimass::data {
namespace {

constexpr int kMaxTypeRetries = 5;  // re-reads after widening a mis-sniffed column

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Clip(std::string_view text, size_t max = 120) {
  text = text.substr(0, text.find('\n'));
  std::string out(text.substr(0, max));
  return text.size() > max ? out + "..." : out;
}

std::string FileName(const std::filesystem::path& file) { return file.filename().string(); }

// The offset of the first NUL byte of `file`, or -1. The file is mapped 64 MiB at a time
// and searched with memchr: 0.03 s for 300 MB, where reading it through a buffer took
// 0.19 s (the copy out of the page cache was the cost). One window at a time keeps the
// mapped pages out of the server's peak memory.
int64_t FindNulByte(const std::filesystem::path& file) {
  constexpr int64_t kWindow = int64_t{64} << 20;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;  // the import itself reports the unreadable file
  struct stat info {};
  int64_t found = -1;
  if (::fstat(fd, &info) == 0) {
    for (int64_t offset = 0; offset < info.st_size && found < 0; offset += kWindow) {
      const auto length = static_cast<size_t>(std::min(kWindow, info.st_size - offset));
      void* window = ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, offset);
      if (window == MAP_FAILED) break;
      if (const void* nul = std::memchr(window, '\0', length)) {
        found = offset + (static_cast<const char*>(nul) - static_cast<const char*>(window));
      }
      ::munmap(window, length);
    }
  }
  ::close(fd);
  return found;
}

// Asks the kernel to start writing `file` to disk now, without waiting: the statistics scan
// then overlaps the write-back, and the blob store's fsync at the end has little left to do
// (it took 0.1-0.3 s for the benchmark's 120 MB Parquet file, now mostly hidden).
void StartWriteBack(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  ::close(fd);
}

// DuckDB accepts NUL bytes inside CSV values; we refuse them, with the line they are on.
// Lines are counted only once a NUL is found.
Status CheckNoNulBytes(const std::filesystem::path& file) {
  const int64_t found = FindNulByte(file);
  if (found < 0) return Ok();
  std::ifstream again(file, std::ios::binary);
  int64_t line = 1;
  for (int64_t i = 0; i < found && again; ++i) line += again.get() == '\n';
  return Fail(ErrorCode::kInvalidArgument,
              "'" + FileName(file) + "' line " + std::to_string(line) +
                  " contains a NUL byte (offset " + std::to_string(found) +
                  "); this is not a text file, or it is UTF-16: save it as UTF-8 text");
}

// Finds the first record whose field count differs from the header's, or an unclosed quote,
// reading at most 64 MiB. Used only to explain a file DuckDB's sniffer could not read.
std::string DiagnoseCsv(const std::filesystem::path& file, char delimiter, char quote) {
  std::ifstream in(file, std::ios::binary);
  std::string text(64 << 20, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  int64_t line = 1, record_line = 1, fields = 1, header_fields = -1;
  bool in_quotes = false, record_empty = true;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == quote && i + 1 < text.size() && text[i + 1] == quote) {
        ++i;
      } else if (c == quote) {
        in_quotes = false;
      } else if (c == '\n') {
        ++line;
      }
      continue;
    }
    if (c == quote && quote != '\0') {
      in_quotes = true;
      record_empty = false;
    } else if (c == delimiter) {
      ++fields;
      record_empty = false;
    } else if (c == '\n') {
      if (!record_empty) {
        if (header_fields < 0) {
          header_fields = fields;
        } else if (fields != header_fields) {
          return "line " + std::to_string(record_line) + " has " + std::to_string(fields) +
                 " fields but the header (line 1) has " + std::to_string(header_fields) +
                 "; every row needs the same number of fields (quote values that contain the "
                 "delimiter)";
        }
      }
      ++line;
      record_line = line;
      fields = 1;
      record_empty = true;
    } else if (c != '\r') {
      record_empty = false;
    }
  }
  if (in_quotes) {
    return "the quoted value that starts on line " + std::to_string(record_line) +
           " is never closed (unterminated quote); close it, or write a quote inside a value "
           "as \"\"";
  }
  if (!record_empty && header_fields >= 0 && fields != header_fields) {
    return "line " + std::to_string(record_line) + " has " + std::to_string(fields) +
           " fields but the header (line 1) has " + std::to_string(header_fields);
  }
  return "";
}

struct CsvProblem {
  std::string message;
  std::string column;  // set for a conversion error of an auto-detected type
  std::string value;
};

// The number of the first line of `file` longer than `limit` bytes, or 0. DuckDB's own
// line number for this error counts from the buffer it gave up in, not the file.
int64_t FirstLongLine(const std::filesystem::path& file, int64_t limit) {
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) return 0;
  std::vector<char> buffer(1 << 20);
  int64_t line = 1, length = 0;
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), in.get())) {
    for (size_t i = 0; i < n; ++i) {
      if (buffer[i] == '\n') {
        ++line;
        length = 0;
      } else if (++length > limit) {
        return line;
      }
    }
  }
  return 0;
}

// Rewrites DuckDB's CSV/JSON reader errors into one sentence naming the line, the column
// and the fix, dropping DuckDB's suggestions (some of which, like ignore_errors, lose data).
CsvProblem DescribeReadError(const std::string& raw, const std::filesystem::path& file,
                             const ImportOptions& options) {
  const std::string name = "'" + FileName(file) + "'";
  std::smatch m;
  std::string line;
  if (std::regex_search(raw, m, std::regex("CSV Error on Line: (\\d+)"))) line = m[1];
  const std::string where = line.empty() ? name : name + " line " + line;
  if (std::regex_search(raw, m, std::regex("Expected Number of Columns: (\\d+) Found: (\\d+)"))) {
    return {where + " has " + m[2].str() + " fields but the header has " + m[1].str() +
                "; every row needs the same number of fields (quote values that contain the "
                "delimiter)",
            "", ""};
  }
  if (raw.find("unterminated quote") != std::string::npos) {
    return {where +
                ": a quoted value is never closed (unterminated quote); close it, or write a "
                "quote inside a value as \"\"",
            "", ""};
  }
  if (raw.find("Invalid unicode") != std::string::npos ||
      raw.find("invalid Unicode") != std::string::npos) {
    return {where +
                " is not valid UTF-8; convert the file to UTF-8 (for example iconv -f "
                "latin1 -t utf-8)",
            "", ""};
  }
  if (std::regex_search(raw, m, std::regex("Maximum line size of (\\d+) bytes exceeded"))) {
    const int64_t long_line = FirstLongLine(file, kMaxLineBytes);
    const std::string at = long_line > 0 ? name + " line " + std::to_string(long_line) : where;
    return {at + " is longer than the limit of " + std::to_string(kMaxLineBytes >> 20) +
                " MiB per line; split it, or check the line endings and quoting",
            "", ""};
  }
  if (std::regex_search(raw, m,
                        std::regex("converting column \"([^\"]*)\"\\. Could not convert string "
                                   "\"([^\"]*)\" to '([^']*)'"))) {
    const bool declared = raw.find("auto-detected") == std::string::npos;
    CsvProblem problem{"column '" + m[1].str() + "' on " +
                           (line.empty() ? name : "line " + line + " of " + name) + ": '" +
                           Clip(m[2].str(), 60) + "' is not a valid " + m[3].str() +
                           "; fix the "
                           "value, or declare the column with another type (types=" +
                           m[1].str() + ":VARCHAR)",
                       declared ? "" : m[1].str(), m[2].str()};
    return problem;
  }
  if (raw.find("not possible to automatically detect the CSV") != std::string::npos) {
    const char delimiter =
        options.delimiter.value_or(options.format == FileFormat::kTsv ? '\t' : ',');
    std::string diagnosis =
        DiagnoseCsv(file, delimiter, options.format == FileFormat::kTsv ? '\0' : '"');
    if (!diagnosis.empty()) return {name + " " + diagnosis, "", ""};
    return {"cannot detect the layout of " + name +
                "; check the delimiter (delimiter=) and "
                "that every row has the same fields",
            "", ""};
  }
  if (std::regex_search(raw, m, std::regex("Column \"([^\"]*)\" in REPLACE list not found"))) {
    return {"column '" + m[1].str() + "' declared in types= is not in " + name, "", ""};
  }
  if (raw.find("Malformed JSON") != std::string::npos) {
    return {name + ": " + ShortDuckDbError(raw) + "; each line must hold one JSON object", "", ""};
  }
  std::string message = ShortDuckDbError(raw);
  if (std::regex_search(raw, m, std::regex("Could not convert string '([^']*)' to ([A-Z0-9]+)"))) {
    message += "; fix the value or declare another type for its column";
  }
  return {
      "cannot read " + name + " as " + std::string(FileFormatName(options.format)) + ": " + message,
      "", ""};
}

bool LooksNumeric(const std::string& text) {
  if (text.empty()) return false;
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

std::string TypesStruct(const std::map<std::string, std::string>& types) {
  std::string out = "{";
  for (const auto& [column, type] : types) {
    if (out.size() > 1) out += ", ";
    out += QuoteLiteral(column) + ": " + QuoteLiteral(type);
  }
  return out + "}";
}

// The SELECT that reads the file, with declared types applied.
std::string ReaderSql(const std::filesystem::path& input, const ImportOptions& options,
                      const std::map<std::string, std::string>& types, char delimiter) {
  const std::string path = QuoteLiteral(input.string());
  const std::string limits = ", sample_size=" + std::to_string(kSniffSampleRows);
  if (options.format == FileFormat::kCsv || options.format == FileFormat::kTsv) {
    // Bad rows are errors, never skipped or padded: strict_mode, no ignore_errors/null_padding.
    std::string sql = "SELECT * FROM read_csv(" + path +
                      ", delim=" + QuoteLiteral(std::string(1, delimiter)) +
                      ", strict_mode=true, ignore_errors=false, null_padding=false" +
                      ", max_line_size=" + std::to_string(kMaxLineBytes) +
                      ", buffer_size=" + std::to_string(2 * kMaxLineBytes) + limits;
    sql += options.format == FileFormat::kCsv ? ", quote='\"', escape='\"'" : ", quote=''";
    if (options.header) sql += std::string(", header=") + (*options.header ? "true" : "false");
    if (!types.empty()) sql += ", types=" + TypesStruct(types);
    return sql + ")";
  }
  std::string replace;
  for (const auto& [column, type] : types) {
    replace += (replace.empty() ? "" : ", ") + std::string("CAST(") + QuoteIdentifier(column) +
               " AS " + type + ") AS " + QuoteIdentifier(column);
  }
  const std::string star = replace.empty() ? "*" : "* REPLACE (" + replace + ")";
  if (options.format == FileFormat::kParquet) {
    return "SELECT " + star + " FROM read_parquet(" + path + ")";
  }
  return "SELECT " + star + " FROM read_json(" + path +
         ", format='newline_delimited', maximum_object_size=" + std::to_string(kMaxLineBytes) +
         limits + ")";
}

Status CheckDeclaredTypes(Engine& engine, const ImportOptions& options) {
  for (const auto& [column, type] : options.column_types) {
    if (column.empty()) return Fail(ErrorCode::kInvalidArgument, "a declared type has no column");
    if (!engine.Query("SELECT CAST(NULL AS " + type + ")")) {
      return Fail(ErrorCode::kInvalidArgument,
                  "type '" + type + "' declared for column '" + column +
                      "' is not a DuckDB type; use for example BIGINT, DOUBLE, VARCHAR, DATE, "
                      "TIMESTAMP or BOOLEAN");
    }
  }
  return Ok();
}

RunOptions Parsing(const ProgressFn& progress) {
  RunOptions run;
  run.progress = &progress;
  run.percent_from = 2;
  run.percent_to = 80;
  run.message = "parsing";
  return run;
}

Result<TableInfo> ImportFileImpl(Engine& engine, const std::filesystem::path& input,
                                 const ImportOptions& options, const std::filesystem::path& output,
                                 const ProgressFn& progress) {
  std::error_code error;
  const auto size = std::filesystem::file_size(input, error);
  if (error) {
    return Fail(ErrorCode::kNotFound, "cannot read '" + input.string() + "': " + error.message());
  }
  if (size == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "'" + FileName(input) + "' is empty (0 bytes); upload a file with data rows");
  }
  if (options.format != FileFormat::kParquet) AIMASS_RETURN_IF_ERROR(CheckNoNulBytes(input));
  AIMASS_RETURN_IF_ERROR(CheckDeclaredTypes(engine, options));
  if (progress && !progress(1, "reading")) return Fail(ErrorCode::kCancelled, "import cancelled");

  std::map<std::string, std::string> types(options.column_types.begin(),
                                           options.column_types.end());
  char delimiter = options.delimiter.value_or(options.format == FileFormat::kTsv ? '\t' : ',');
  PartialFile partial(output);
  int64_t rows_written = 0;
  for (int attempt = 0;; ++attempt) {
    // DuckDB sniffs the dialect and types as part of the COPY: no separate sniffing pass.
    auto copied = engine.Run("COPY (" + ReaderSql(input, options, types, delimiter) + ") TO " +
                                 QuoteLiteral(partial.partial().string()) +
                                 " (FORMAT parquet, COMPRESSION snappy)",
                             Parsing(progress));
    if (copied) {
      rows_written = copied->rows.at(0).at(0).get<int64_t>();
      // A ';'- or '|'-separated ".csv" reads as one column: read it again with that delimiter.
      if (options.delimiter || options.format != FileFormat::kCsv || delimiter != ',') break;
      AIMASS_ASSIGN_OR_RETURN(auto schema, ParquetSchema(engine, partial.partial()));
      const size_t other =
          schema.size() == 1 ? schema[0].name.find_first_of(";|\t") : std::string::npos;
      if (other == std::string::npos) break;
      delimiter = schema[0].name[other];
      continue;
    }
    if (copied.error().code != ErrorCode::kInvalidArgument) return Fail(copied.error());
    CsvProblem problem = DescribeReadError(copied.error().message, input, options);
    // A type guessed from the sample that a later row contradicts: widen it and read again.
    if (problem.column.empty() || attempt >= kMaxTypeRetries) {
      return Fail(ErrorCode::kInvalidArgument, problem.message);
    }
    const bool was_double = types.count(problem.column) && types[problem.column] == "DOUBLE";
    types[problem.column] = LooksNumeric(problem.value) && !was_double ? "DOUBLE" : "VARCHAR";
  }
  if (rows_written == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "'" + FileName(input) +
                    "' has no data rows (only a header, or nothing); a "
                    "dataset needs at least one row");
  }
  StartWriteBack(partial.partial());
  AIMASS_ASSIGN_OR_RETURN(TableInfo info,
                          DescribeParquet(engine, partial.partial(), progress, 80, 99));
  AIMASS_RETURN_IF_ERROR(partial.Commit());
  if (progress) progress(100, "done");
  return info;
}

}  // namespace

Result<FileFormat> ParseFileFormat(std::string_view name) {
  const std::string lower = Lower(name);
  if (lower == "csv") return FileFormat::kCsv;
  if (lower == "tsv" || lower == "tab") return FileFormat::kTsv;
  if (lower == "jsonl" || lower == "ndjson" || lower == "json") return FileFormat::kJsonLines;
  if (lower == "parquet") return FileFormat::kParquet;
  return Fail(ErrorCode::kInvalidArgument,
              "unknown format '" + std::string(name) + "'; use csv, tsv, jsonl or parquet");
}

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kCsv:
      return "csv";
    case FileFormat::kTsv:
      return "tsv";
    case FileFormat::kJsonLines:
      return "jsonl";
    case FileFormat::kParquet:
      return "parquet";
  }
  return "csv";
}

FileFormat GuessFileFormat(const std::filesystem::path& file, std::string_view filename_hint) {
  std::string extension = Lower(std::filesystem::path(filename_hint).extension().string());
  if (!extension.empty()) {
    if (auto format = ParseFileFormat(extension.substr(1))) return *format;
  }
  std::ifstream in(file, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  if (head.starts_with("PAR1")) return FileFormat::kParquet;
  const size_t first = head.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (first != std::string::npos && head[first] == '{') return FileFormat::kJsonLines;
  const std::string first_line = head.substr(0, head.find('\n'));
  const auto tabs = std::count(first_line.begin(), first_line.end(), '\t');
  const auto commas = std::count(first_line.begin(), first_line.end(), ',');
  return tabs > commas ? FileFormat::kTsv : FileFormat::kCsv;
}

Result<TableInfo> ImportFile(Engine& engine, const std::filesystem::path& input,
                             const ImportOptions& options, const std::filesystem::path& output,
                             const ProgressFn& progress) {
  try {
    return ImportFileImpl(engine, input, options, output, progress);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, "import of '" + FileName(input) + "' failed: " + e.what());
  }
}

}  // namespace aimass::data
