// The "syslog" source kind: a receiver of RFC 5424 and RFC 3164 messages over UDP and TCP
// (settings in README.md) that spools parsed rows to disk and hands them over as typed
// Parquet batches on the source's interval.
#pragma once

#include <memory>
#include <mutex>

#include "data/sources/source.h"
#include "data/sources/syslog_receiver.h"
#include "data/sources/syslog_spool.h"

namespace aimass::data::sources {

// Registers "syslog" (admins only: it listens on the server's ports).
Status RegisterSyslogSource(SourceKinds& kinds);

struct SyslogSourceOptions {
  SyslogListenOptions listen;
  size_t max_malformed_rows = 1000;  // kept per batch; the rest are counted and dropped
};

// Reads and checks a syslog source's settings; errors name the field and the fix.
Result<SyslogSourceOptions> ParseSyslogSettings(const nlohmann::json& settings);

// One syslog source. Thread-safe (source.h): the receiver's thread writes to the spool, a
// run's thread takes from it, and Start/Stop may come while a Take runs.
class SyslogSource final : public Source {
 public:
  // `state_dir` keeps the spool across restarts.
  SyslogSource(std::string name, SyslogSourceOptions options, std::filesystem::path state_dir,
               const Clock& clock = SystemClock::Instance());
  ~SyslogSource() override;

  Result<std::optional<SourceBatch>> Take(const SourceContext& context) override;
  Status Start() override;
  void Stop() override;

  // The receiver's ports while started (0 when stopped or that protocol is off).
  uint16_t udp_port() const;
  uint16_t tcp_port() const;
  // What the receiver saw since Start (zeros when stopped), and what the spool kept.
  SyslogReceiverCounts received() const;
  SyslogSpoolCounts spooled();

 private:
  Result<std::shared_ptr<SyslogSpool>> Spool();

  const std::string name_;
  const SyslogSourceOptions options_;
  const std::filesystem::path state_dir_;
  const Clock& clock_;
  mutable std::mutex mutex_;  // guards spool_ and receiver_
  std::shared_ptr<SyslogSpool> spool_;
  std::unique_ptr<SyslogReceiver> receiver_;
};

}  // namespace aimass::data::sources
