// The host's secret for ISNs and timestamp offsets, kept for the life of the boot.
//
// Linux draws its ISN and timestamp secret once per boot, so a connection's ISN and TSvals follow
// on from those of the last connection of the same tuple, whatever socket made it. That is what
// lets a peer that still holds TIME-WAIT for the tuple take a new SYN (RFC 6191): with a secret
// of our own per process, half of a new generator run's SYNs to a peer's TIME-WAIT tuples looked
// older than the last run's, Linux answered them with an ACK, and each cost a RST and a 1 s RTO.
//
// Our processes share one secret through a file on /run (tmpfs: a new one each boot), owned by
// the user and readable by it alone, made by whichever process comes first.
#pragma once
#include <string>

#include "tcp/siphash.h"

namespace ts::dpdk {

inline constexpr const char* kBootSecretPath = "/run/turnstile/boot-secret";

struct BootSecret {
  tcp::SipKey isn;    // for make_isn
  tcp::SipKey ts;     // for make_ts_offset
  std::string note;   // empty, or why these keys are this process's own (the file was unusable)
};

// The keys in `path`, made (with its directory) when missing. A file that is not ours alone, or
// not 32 bytes, is not used: the keys are then fresh random ones, and `note` says why.
BootSecret boot_secret(const std::string& path = kBootSecretPath);

}  // namespace ts::dpdk
