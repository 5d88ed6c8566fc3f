// The three server behaviours, as api::Handlers.
#pragma once
#include <memory>
#include <string>

#include "api/handler.h"

namespace ts::server {

enum class Mode { kHttp, kEcho, kDiscard };

// HTTP/1.1: 200 and a small body for each GET, keep-alive unless the client asks to close.
// Echo: every byte back. Discard: read and drop. All close when the peer has closed.
std::unique_ptr<api::Handler> make_handler(Mode m, const std::string& http_body);

// The mode's api::StackConfig::explicit_consume. Echo: its peer's window follows what was echoed
// and acknowledged; HTTP: requests count as read once answered, and those whose replies wait for
// send space stay off the window (flow control instead of a reset once send_buffer is full).
// Discard never holds data back: read as it comes.
inline bool explicit_consume(Mode m) { return m != Mode::kDiscard; }

// `h`, each on_data waiting `delay_us` first: a slow application, to test back-pressure with.
// For worker threads only: inline, it would stall the lcore.
std::unique_ptr<api::Handler> make_slow_reader(std::unique_ptr<api::Handler> h, uint32_t delay_us);

}  // namespace ts::server
