// The server's log: spdlog's default logger writes to stdout through a buffered sink,
// flushed once a second and at once for warnings and errors. spdlog's own console sinks
// flush (one write system call, under one lock) for every line, which at thousands of
// requests a second made the access log a visible share of each request's time.
#pragma once

namespace aimass::exe {

// Call once, before the server starts; the logger stays for the process's life.
void UseBufferedServerLog();

}  // namespace aimass::exe
