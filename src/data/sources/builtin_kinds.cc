// The source kinds this build has: one Register call per kind.
#include "data/sources/directory_source.h"
#include "data/sources/postgres_source.h"
#include "data/sources/redis_source.h"
#include "data/sources/source.h"
#include "data/sources/syslog_source.h"

namespace aimass::data::sources {

Status RegisterBuiltinKinds(SourceKinds& kinds) {
  AIMASS_RETURN_IF_ERROR(RegisterDirectorySource(kinds));
  AIMASS_RETURN_IF_ERROR(RegisterSyslogSource(kinds));
  AIMASS_RETURN_IF_ERROR(RegisterPostgresSource(kinds));
  AIMASS_RETURN_IF_ERROR(RegisterRedisSource(kinds));
  return Ok();
}

}  // namespace aimass::data::sources
