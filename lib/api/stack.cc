#include "api/stack.h"

#include "api/inline_sink.h"
#include "api/worker_set.h"

namespace ts::api {

std::unique_ptr<Stack> Stack::create(StackConfig cfg, HandlerFactory factory, std::string* err) {
  std::unique_ptr<Stack> s(new Stack());
  dpdk::DatapathConfig& dc = cfg.datapath;
  const dpdk::Profile& p = dc.profile;
  // The sinks are sized by the queue count, which the datapath resolves the same way.
  const uint16_t queues = dpdk::queue_count(dc);
  dc.workers = cfg.workers;
  if (cfg.workers) {
    s->workers_ = std::make_unique<WorkerSet>(factory, queues, cfg.workers, p.stack.app_ring_size,
                                              p.stack.send_buffer, cfg.explicit_consume);
    dc.sink = s->workers_.get();
  } else {
    s->inline_ = std::make_unique<InlineSink>(factory, queues, cfg.explicit_consume);
    dc.sink = s->inline_.get();
  }
  s->dp_ = dpdk::Datapath::create(dc, err);
  if (!s->dp_) return nullptr;
  if (s->workers_) s->workers_->attach(*s->dp_);
  else s->inline_->attach(*s->dp_);
  return s;
}

Stack::~Stack() {
  shutdown();
  if (workers_) workers_->release_mbufs();  // while their mempool still exists
  dp_.reset();  // lcores and port first: nothing calls the sinks after this
  workers_.reset();
  inline_.reset();
}

// The order matters: no worker may run while the lcores end the connections (their events go to
// the rings), and the workers' leftovers are handled while the mempool still exists.
void Stack::shutdown() {
  stop_workers();
  if (!dp_) return;
  dp_->shutdown();
  if (workers_) {
    workers_->drain();
    workers_->release_mbufs();  // sends no lcore took: mbufs_in_use_after_close must not count them
  }
}

bool Stack::listen(uint16_t port, uint32_t backlog, std::string* err) { return dp_->listen(port, backlog, err); }

bool Stack::start_workers(const std::atomic<bool>& stop, std::string* err) {
  return !workers_ || workers_->start(stop, err);
}

void Stack::stop_workers() {
  if (workers_) workers_->stop();
}

bool Stack::run(const std::atomic<bool>& stop, std::string* err) {
  if (!start_workers(stop, err)) return false;
  const bool ran = dp_->run(stop, err);
  stop_workers();
  return ran;
}

}  // namespace ts::api
