#include "serve/prediction_table.h"

#include <algorithm>

namespace aimass::serve {

std::vector<std::string> PredictionColumns(const train::Pipeline& pipeline) {
  std::vector<std::string> out = {"prediction"};
  if (IsClassification(pipeline.task())) {
    for (const auto& name : pipeline.classes()) out.push_back("probability_" + name);
  }
  return out;
}

namespace {

// Owns a DuckDB appender; the destructor flushes nothing that Close did not.
class Appender {
 public:
  Appender(duckdb_connection connection, const std::string& table) {
    if (duckdb_appender_create(connection, nullptr, table.c_str(), &appender_) == DuckDBError) {
      error_ = Error_();
    }
  }
  ~Appender() { duckdb_appender_destroy(&appender_); }
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  duckdb_appender get() { return appender_; }
  // Records the appender's error once a call failed; false from then on.
  bool Check(duckdb_state state) {
    if (state == DuckDBError && error_.empty()) error_ = Error_();
    return ok();
  }
  bool Close() { return Check(duckdb_appender_close(appender_)); }

 private:
  std::string Error_() const {
    const char* text = appender_ ? duckdb_appender_error(appender_) : nullptr;
    return text ? text : "cannot append to the prediction table";
  }

  duckdb_appender appender_ = nullptr;
  std::string error_;
};

}  // namespace

Status WritePredictionTable(data::Engine& engine, const std::string& table,
                            const train::Pipeline& pipeline, const std::vector<double>& predicted,
                            int64_t rows) {
  const bool classes = IsClassification(pipeline.task());
  const auto names = PredictionColumns(pipeline);
  std::string columns;
  for (size_t i = 0; i < names.size(); ++i) {
    const bool text = i == 0 && classes;
    columns += (i ? ", " : "") + data::QuoteIdentifier(names[i]) + (text ? " VARCHAR" : " DOUBLE");
  }
  AIMASS_RETURN_IF_ERROR(
      engine.Execute("CREATE TEMP TABLE " + data::QuoteIdentifier(table) + " (" + columns + ")"));
  Appender appender(engine.connection(), table);
  const int width = pipeline.width();
  const auto& class_names = pipeline.classes();
  for (int64_t r = 0; r < rows && appender.ok(); ++r) {
    const double* row = predicted.data() + r * width;
    if (!classes) {
      appender.Check(duckdb_append_double(appender.get(), row[0]));
    } else {
      const auto best = static_cast<size_t>(std::max_element(row, row + width) - row);
      appender.Check(duckdb_append_varchar(appender.get(), class_names[best].c_str()));
      for (int c = 0; c < width; ++c) appender.Check(duckdb_append_double(appender.get(), row[c]));
    }
    appender.Check(duckdb_appender_end_row(appender.get()));
  }
  if (!appender.ok() || !appender.Close()) {
    return Fail(ErrorCode::kInternal, "cannot store the predictions: " + appender.error());
  }
  return Ok();
}

}  // namespace aimass::serve
