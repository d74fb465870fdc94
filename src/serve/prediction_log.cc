#include "serve/prediction_log.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <utility>

#include "common/base64.h"
#include "serve/answer_text.h"
#include "security/crypto/blob_cipher.h"

namespace aimass::serve {
namespace fs = std::filesystem;

namespace {

// How long the writer gathers lines before it writes them: a busy endpoint's lines go out
// 20 times a second, in one write (and one encrypted batch) each.
constexpr std::chrono::milliseconds kGatherTime{50};

// Files of one kind in a folder, oldest first: rotated ones are "<kind>-<millis>.jsonl"
// (16 digits, then ".1", ".2" for more in one millisecond), the active one "<kind>.jsonl".
std::vector<fs::path> FilesOf(const fs::path& folder, const std::string& kind) {
  std::vector<fs::path> rotated;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(kind + "-") && name.ends_with(".jsonl")) rotated.push_back(entry.path());
  }
  std::sort(rotated.begin(), rotated.end());
  if (fs::exists(folder / (kind + ".jsonl"), ec)) rotated.push_back(folder / (kind + ".jsonl"));
  return rotated;
}

// The associated data of an endpoint's encrypted batches of one kind: a batch moved to
// another endpoint's or kind's file fails to decrypt.
std::string BatchIdentity(const std::string& endpoint, const std::string& kind) {
  return endpoint + "/" + kind;
}

// `lines` encrypted as one line of base64 (never '{', so plaintext lines read as before).
Result<std::string> SealedLine(std::string_view lines, const security::crypto::KeyRing& keys,
                               const std::string& identity) {
  AIMASS_ASSIGN_OR_RETURN(std::string sealed,
                          security::crypto::EncryptBytes(lines, keys, identity));
  std::string line;
  line.reserve((sealed.size() + 2) / 3 * 4 + 1);
  AppendBase64(sealed, line);
  line += '\n';
  return line;
}

Result<std::string> OpenedLine(const std::string& text, const security::crypto::KeyRing& keys,
                               const std::string& identity) {
  std::optional<std::string> sealed = FromBase64(text);
  if (!sealed) return Fail(ErrorCode::kInternal, "an encrypted prediction log line is not base64");
  return security::crypto::DecryptBytes(*sealed, keys, identity);
}

// Calls `line` with each JSON line of the files; lines that do not parse (a write cut by a
// crash) are skipped. Encrypted batches are decrypted with `keys`; one that fails (altered,
// cut, another log's) is skipped and counted in `unreadable`.
void ReadLines(const std::vector<fs::path>& files, const security::crypto::KeyRing* keys,
               const std::string& identity, int64_t& unreadable,
               const std::function<void(const nlohmann::json&)>& line) {
  auto parse = [&](std::string_view text) {
    auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) line(parsed);
  };
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string text;
    while (std::getline(in, text)) {
      if (text.empty()) continue;
      if (text.front() == '{') {
        parse(text);
        continue;
      }
      auto batch = keys ? OpenedLine(text, *keys, identity) : Result<std::string>("");
      if (!keys || !batch) {
        ++unreadable;
        continue;
      }
      std::string_view rest = *batch;
      while (!rest.empty()) {
        size_t end = rest.find('\n');
        parse(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      }
    }
  }
}

// One line of the predictions file: {"id","time","model","version","shadow","input","output"},
// written field by field around the record's and the answer's own text.
void AppendLine(const PredictionEntry& entry, int64_t now, std::string& out) {
  out += "{\"id\":";
  AppendJsonString(entry.id, out);
  out += ",\"time\":" + std::to_string(now) + ",\"model\":";
  AppendJsonString(entry.model, out);
  out += ",\"version\":" + std::to_string(entry.version) +
         ",\"shadow\":" + (entry.shadow ? "true" : "false") + ",\"input\":";
  out += entry.input;
  out += ",\"output\":";
  out += entry.output;
  out += "}\n";
}

}  // namespace

PredictionLog::PredictionLog(PredictionLogOptions options, const Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      queue_(
          options_.queue_capacity, [this] { WritePending(); }, kGatherTime) {}

PredictionLog::~PredictionLog() {
  queue_.Drain();
  std::lock_guard lock(files_mu_);
  CloseFiles("");
}

void PredictionLog::WritePending() {
  for (auto& [key, lines] : pending_) {
    if (!lines.empty()) Append(key.first, key.second, lines);
  }
  pending_.clear();
  std::lock_guard lock(files_mu_);
  for (auto& [key, open] : open_) std::fflush(open.file);
}

void PredictionLog::CloseFiles(const std::string& endpoint) {
  for (auto it = open_.begin(); it != open_.end();) {
    if (!endpoint.empty() && it->first.first != endpoint) {
      ++it;
      continue;
    }
    std::fclose(it->second.file);
    it = open_.erase(it);
  }
}

bool PredictionLog::Sampled(const std::string& id) const {
  if (options_.sample_rate >= 1) return true;
  if (options_.sample_rate <= 0) return false;
  return static_cast<double>(std::hash<std::string>{}(id) % 1'000'000) <
         options_.sample_rate * 1'000'000;
}

void PredictionLog::Record(std::vector<PredictionEntry> entries) {
  std::erase_if(entries, [this](const PredictionEntry& entry) { return !Sampled(entry.id); });
  if (entries.empty()) return;
  const int64_t now = clock_.NowMillis();
  queue_.Post([this, now, entries = std::move(entries)] {
    std::string& lines = pending_[{entries.front().endpoint, "predictions"}];
    for (const auto& entry : entries) AppendLine(entry, now, lines);
  });
}

void PredictionLog::Feedback(const std::string& endpoint, const std::string& id,
                             nlohmann::json truth) {
  const int64_t now = clock_.NowMillis();
  queue_.Post([this, endpoint, id, now, truth = std::move(truth)] {
    pending_[{endpoint, "feedback"}] +=
        JsonText({{"id", id}, {"time", now}, {"truth", truth}}) + "\n";
  });
}

void PredictionLog::Append(const std::string& endpoint, const std::string& kind,
                           const std::string& plain_lines) {
  std::string sealed;
  if (options_.keys != nullptr) {
    auto line = SealedLine(plain_lines, *options_.keys, BatchIdentity(endpoint, kind));
    if (!line) return;  // never written in the clear; the log is best effort
    sealed = std::move(*line);
  }
  const std::string& lines = options_.keys != nullptr ? sealed : plain_lines;
  std::lock_guard lock(files_mu_);
  const fs::path folder = options_.dir / endpoint;
  const fs::path active = folder / (kind + ".jsonl");
  auto it = open_.find({endpoint, kind});
  std::error_code ec;
  int64_t size = 0;
  if (it != open_.end()) {
    size = it->second.size;
  } else if (const auto found = fs::file_size(active, ec); !ec) {
    size = static_cast<int64_t>(found);
  }
  if (size > 0 && size + static_cast<int64_t>(lines.size()) > options_.max_file_bytes) {
    if (it != open_.end()) {
      std::fclose(it->second.file);
      open_.erase(it);
      it = open_.end();
    }
    // The time it rotated names it; a second rotation within that millisecond gets a suffix
    // rather than overwriting the first. Zero-padded, so that names sort by time.
    char stamp[24];
    std::snprintf(stamp, sizeof stamp, "%016lld", static_cast<long long>(clock_.NowMillis()));
    fs::path rotated = folder / (kind + "-" + stamp + ".jsonl");
    for (int n = 1; fs::exists(rotated, ec); ++n) {
      rotated = folder / (kind + "-" + stamp + "." + std::to_string(n) + ".jsonl");
    }
    fs::rename(active, rotated, ec);
    Trim(folder);
  }
  if (it == open_.end()) {
    fs::create_directories(folder, ec);
    OpenFile opened;
    opened.file = std::fopen(active.c_str(), "a+b");
    if (opened.file == nullptr) return;  // the disk is gone or full: the log is best effort
    std::fseek(opened.file, 0, SEEK_END);
    opened.size = std::ftell(opened.file);
    // A line cut by a crash must not swallow the first line written after it.
    if (opened.size > 0 && std::fseek(opened.file, -1, SEEK_END) == 0 &&
        std::fgetc(opened.file) != '\n') {
      std::fputc('\n', opened.file);  // "a" mode: every write goes to the end
      ++opened.size;
    }
    it = open_.emplace(std::pair{endpoint, kind}, opened).first;
  }
  std::fwrite(lines.data(), 1, lines.size(), it->second.file);
  it->second.size += static_cast<int64_t>(lines.size());
}

void PredictionLog::Trim(const fs::path& folder) {
  std::vector<fs::path> rotated;
  int64_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    total += static_cast<int64_t>(entry.file_size(ec));
    const std::string name = entry.path().filename().string();
    if (name.find('-') != std::string::npos) rotated.push_back(entry.path());
  }
  // Rotated names end in the time they rotated: the oldest sort first across both kinds.
  std::sort(rotated.begin(), rotated.end(), [](const fs::path& a, const fs::path& b) {
    const auto stamp = [](const fs::path& p) {
      const std::string name = p.stem().string();
      return name.substr(name.rfind('-') + 1);
    };
    return stamp(a) < stamp(b);
  });
  for (const auto& file : rotated) {
    if (total <= options_.max_endpoint_bytes) break;
    total -= static_cast<int64_t>(fs::file_size(file, ec));
    fs::remove(file, ec);
  }
}

Result<nlohmann::json> PredictionLog::Quality(const std::string& endpoint) {
  Flush();
  std::lock_guard lock(files_mu_);
  const fs::path folder = options_.dir / endpoint;
  std::map<std::string, nlohmann::json> truth;  // by prediction id; the latest wins
  int64_t unreadable = 0;
  ReadLines(FilesOf(folder, "feedback"), options_.keys, BatchIdentity(endpoint, "feedback"),
            unreadable,
            [&](const nlohmann::json& line) { truth[line.value("id", "")] = line["truth"]; });
  struct Tally {
    bool shadow = false;
    int64_t predictions = 0, with_feedback = 0, correct = 0;
    double squared = 0, absolute = 0;
    bool numbers = false;
  };
  std::map<std::pair<std::string, bool>, Tally> tallies;
  ReadLines(FilesOf(folder, "predictions"), options_.keys, BatchIdentity(endpoint, "predictions"),
            unreadable, [&](const nlohmann::json& line) {
              const bool shadow = line.value("shadow", false);
              Tally& tally = tallies[{line.value("model", ""), shadow}];
              tally.shadow = shadow;
              ++tally.predictions;
              auto known = truth.find(line.value("id", ""));
              if (known == truth.end()) return;
              const nlohmann::json predicted = line["output"].value("prediction", nlohmann::json());
              ++tally.with_feedback;
              if (predicted.is_number() && known->second.is_number()) {
                tally.numbers = true;
                const double error = predicted.get<double>() - known->second.get<double>();
                tally.squared += error * error;
                tally.absolute += std::abs(error);
              } else {
                const std::string want = known->second.is_string()
                                             ? known->second.get<std::string>()
                                             : known->second.dump();
                tally.correct += predicted.is_string() && predicted.get<std::string>() == want;
              }
            });
  nlohmann::json versions = nlohmann::json::array();
  for (const auto& [key, tally] : tallies) {
    nlohmann::json item = {{"model", key.first},
                           {"shadow", tally.shadow},
                           {"predictions", tally.predictions},
                           {"with_feedback", tally.with_feedback}};
    const double n = static_cast<double>(tally.with_feedback);
    if (tally.with_feedback > 0 && tally.numbers) {
      item["rmse"] = std::sqrt(tally.squared / n);
      item["mae"] = tally.absolute / n;
    } else if (tally.with_feedback > 0) {
      item["accuracy"] = static_cast<double>(tally.correct) / n;
    }
    versions.push_back(std::move(item));
  }
  nlohmann::json quality = {{"endpoint", endpoint}, {"versions", std::move(versions)}};
  if (unreadable > 0) quality["unreadable_batches"] = unreadable;
  return quality;
}

void PredictionLog::Remove(const std::string& endpoint) {
  Flush();
  std::lock_guard lock(files_mu_);
  CloseFiles(endpoint);
  std::error_code ec;
  fs::remove_all(options_.dir / endpoint, ec);
}

}  // namespace aimass::serve
