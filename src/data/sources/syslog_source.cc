#include "data/sources/syslog_source.h"

#include <utility>

#include "data/sources/kind_settings.h"
#include "data/sources/syslog_parser.h"
#include "data/sources/typed_batch.h"

namespace aimass::data::sources {

namespace fs = std::filesystem;

Result<SyslogSourceOptions> ParseSyslogSettings(const nlohmann::json& settings) {
  AIMASS_RETURN_IF_ERROR(RefuseUnknownKeys(settings, "syslog",
                                           {"udp", "tcp", "max_message_bytes", "max_connections",
                                            "idle_timeout_seconds", "max_malformed_rows"}));
  SyslogSourceOptions options;
  SyslogListenOptions& listen = options.listen;
  AIMASS_ASSIGN_OR_RETURN(listen.udp, StringSetting(settings, "udp"));
  AIMASS_ASSIGN_OR_RETURN(listen.tcp, StringSetting(settings, "tcp"));
  if (listen.udp.empty() && listen.tcp.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "a syslog source needs settings.udp or settings.tcp (or both), like "
                "{\"udp\": \"0.0.0.0:5514\"}");
  }
  AIMASS_ASSIGN_OR_RETURN(int64_t max_bytes,
                          IntSetting(settings, "max_message_bytes", 8192, 480, 1 << 20));
  AIMASS_ASSIGN_OR_RETURN(int64_t connections,
                          IntSetting(settings, "max_connections", 100, 1, 10'000));
  AIMASS_ASSIGN_OR_RETURN(int64_t idle,
                          IntSetting(settings, "idle_timeout_seconds", 300, 1, 86'400));
  AIMASS_ASSIGN_OR_RETURN(int64_t malformed,
                          IntSetting(settings, "max_malformed_rows", 1000, 0, 1'000'000));
  listen.max_message_bytes = static_cast<size_t>(max_bytes);
  listen.max_connections = static_cast<int>(connections);
  listen.idle_timeout_seconds = static_cast<int>(idle);
  options.max_malformed_rows = static_cast<size_t>(malformed);
  return options;
}

Status RegisterSyslogSource(SourceKinds& kinds) {
  return AddKind(
      kinds, "syslog", ParseSyslogSettings,
      [](const SourceConfig& config,
         SyslogSourceOptions options) -> Result<std::unique_ptr<Source>> {
        if (config.state_dir.empty()) {
          return Fail(ErrorCode::kInternal,
                      "syslog source '" + config.name + "' was created without a state folder");
        }
        return std::make_unique<SyslogSource>(config.name, std::move(options), config.state_dir);
      },
      SourceAccess::kAdminsOnly);
}

SyslogSource::SyslogSource(std::string name, SyslogSourceOptions options, fs::path state_dir,
                           const Clock& clock)
    : name_(std::move(name)),
      options_(std::move(options)),
      state_dir_(std::move(state_dir)),
      clock_(clock) {}

SyslogSource::~SyslogSource() { Stop(); }

Result<std::shared_ptr<SyslogSpool>> SyslogSource::Spool() {
  std::lock_guard lock(mutex_);
  if (!spool_) {
    AIMASS_ASSIGN_OR_RETURN(std::unique_ptr<SyslogSpool> spool,
                            SyslogSpool::Open(state_dir_, options_.max_malformed_rows, clock_));
    spool_ = std::move(spool);
  }
  return spool_;
}

Status SyslogSource::Start() {
  AIMASS_ASSIGN_OR_RETURN(std::shared_ptr<SyslogSpool> spool, Spool());
  std::lock_guard lock(mutex_);
  if (receiver_) return Ok();
  auto receiver = SyslogReceiver::Start(
      options_.listen,
      [spool](std::string_view message, std::string_view sender, bool) {
        spool->Add(message, sender);
      },
      [spool] { (void)spool->Flush(); });
  if (!receiver) {
    return Fail(receiver.error().code,
                "syslog source '" + name_ + "': " + receiver.error().message);
  }
  receiver_ = std::move(*receiver);
  return Ok();
}

void SyslogSource::Stop() {
  std::unique_ptr<SyslogReceiver> receiver;
  {
    std::lock_guard lock(mutex_);
    receiver = std::move(receiver_);
  }
  receiver.reset();  // joins the thread, which flushes the spool
}

uint16_t SyslogSource::udp_port() const {
  std::lock_guard lock(mutex_);
  return receiver_ ? receiver_->udp_port() : 0;
}

uint16_t SyslogSource::tcp_port() const {
  std::lock_guard lock(mutex_);
  return receiver_ ? receiver_->tcp_port() : 0;
}

SyslogReceiverCounts SyslogSource::received() const {
  std::lock_guard lock(mutex_);
  return receiver_ ? receiver_->counts() : SyslogReceiverCounts{};
}

SyslogSpoolCounts SyslogSource::spooled() {
  auto spool = Spool();
  return spool ? (*spool)->counts() : SyslogSpoolCounts{};
}

Result<std::optional<SourceBatch>> SyslogSource::Take(const SourceContext& context) {
  int64_t stored_seq = 0;
  if (context.cursor.is_object() && context.cursor.contains("spool") &&
      context.cursor["spool"].is_number_integer()) {
    stored_seq = context.cursor["spool"].get<int64_t>();
  }
  AIMASS_ASSIGN_OR_RETURN(std::shared_ptr<SyslogSpool> spool, Spool());
  AIMASS_ASSIGN_OR_RETURN(std::optional<SyslogSpoolBatch> taken, spool->Take(stored_seq));
  if (!taken) return std::nullopt;
  SourceBatch batch;
  // Read from the spool's batch file, which stays until the version is stored.
  batch.file = context.scratch_dir / ("syslog-" + std::to_string(taken->seq) + ".parquet");
  AIMASS_RETURN_IF_ERROR(JsonLinesToParquet(taken->file, SyslogColumns(), batch.file));
  batch.format = FileFormat::kParquet;
  batch.rows = taken->rows;
  batch.cursor = nlohmann::json{{"spool", taken->seq}};
  batch.acknowledge = [spool, seq = taken->seq] { return spool->Remove(seq); };
  batch.oldest_record_millis = taken->oldest_millis;
  SyslogSpoolCounts counts = spool->counts();
  SyslogReceiverCounts received = this->received();
  batch.description =
      "syslog batch " + std::to_string(taken->seq) + ": " + std::to_string(taken->rows) +
      " rows; since start " + std::to_string(counts.malformed) + " malformed (" +
      std::to_string(counts.malformed_dropped) + " dropped past the cap), " +
      std::to_string(received.truncated) + " cut to max_message_bytes, " +
      std::to_string(received.connections_refused) + " connections refused past max_connections";
  if (counts.write_errors > 0) {
    batch.description += ", " + std::to_string(counts.write_errors) +
                         " rows lost to write errors (" + spool->last_write_error() + ")";
  }
  return batch;
}

}  // namespace aimass::data::sources
