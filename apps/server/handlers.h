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

}  // namespace ts::server
