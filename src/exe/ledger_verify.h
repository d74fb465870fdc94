// `aimass ledger verify`: checks a data directory's ledger offline (the server may run).
#pragma once

#include <string>

namespace aimass::exe {

struct LedgerVerifyFlags {
  std::string data_dir = ".aimass";
  std::string trusted_head;  // a head saved earlier (`aimass ledger head -o FILE`); optional
};

// Prints what it checked and every problem found; returns 0 when the ledger is intact and
// fully sealed, 1 when not (or when it cannot be read).
int VerifyLedger(const LedgerVerifyFlags& flags);

}  // namespace aimass::exe
