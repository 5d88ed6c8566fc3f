#include "api/connection.h"

#include <cstdint>

namespace ts::api {

bool Connection::send(const void* data, size_t len) {
  if (closing_ || len == 0) return len == 0 && !closing_;
  if (len > UINT32_MAX) return false;  // more than any send buffer
  return d_->send(*this, data, len);
}

void Connection::close() {
  if (closing_) return;
  closing_ = true;
  d_->close(*this);
}

void Connection::abort() {
  closing_ = true;
  aborted_ = true;
  d_->abort(*this);
}

// Also after close(): the peer may still send, and wait for our window.
void Connection::consumed(size_t bytes) {
  if (!aborted_ && bytes) d_->consumed(*this, bytes);
}

uint32_t Connection::unacked() const { return d_->unacked(*this); }

void Connection::set_keepalive(bool on) {
  if (!closing_) d_->keepalive(*this, on);
}

}  // namespace ts::api
