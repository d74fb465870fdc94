// The metadata schema as numbered migrations, applied in order at start.
#pragma once

#include "store/sqlite_db.h"

namespace aimass::store {

// Brings the database to the newest schema (PRAGMA user_version counts what is
// applied), each migration in its own transaction. Refuses a database newer
// than this binary.
Status Migrate(Database &db);

}  // namespace aimass::store
