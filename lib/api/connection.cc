#include "api/connection.h"

namespace ts::api {

bool Connection::send(const void* data, size_t len) {
  if (closing_ || len == 0) return len == 0 && !closing_;
  return d_->send(*this, data, len);
}

void Connection::close() {
  if (closing_) return;
  closing_ = true;
  d_->close(*this);
}

void Connection::abort() {
  closing_ = true;
  d_->abort(*this);
}

}  // namespace ts::api
