// What an API token may do: its scopes, written "read,write". Shared by the HTTP server
// (which checks them against each route's permission) and the token authority (which
// issues them).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace aimass {

// read: GET the API; write: read and change things (and predict); predict: only the
// prediction routes (an application's token); admin: everything, for admin users only.
struct Scopes {
  bool read = false;
  bool write = false;
  bool predict = false;
  bool admin = false;

  // "read,write" (any order, no spaces needed); an error names an unknown scope or an empty
  // list, with the valid ones.
  static Result<Scopes> Parse(std::string_view text);
  // The canonical text: the set scopes in the order read, write, predict, admin.
  std::string ToString() const;

  // What the scopes allow, with the implications spelled out once here.
  bool CanRead() const { return read || write || admin; }
  bool CanWrite() const { return write || admin; }
  bool CanPredict() const { return predict || write || admin; }
  bool CanAdminister() const { return admin; }
};

}  // namespace aimass
