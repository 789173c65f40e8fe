// A NATS connection and JetStream context built from PublishConfig (servers,
// user/password, token, credentials file, TLS files). Credentials go to the
// C client only; nothing here logs them.
#pragma once

#include <nats/nats.h>

#include <string>
#include <vector>

#include "fleet/fleet_config.h"
#include "fleet/partition.h"

namespace sw::fleet {

class NatsConn {
public:
    NatsConn() = default;
    ~NatsConn();
    NatsConn(const NatsConn&) = delete;
    NatsConn& operator=(const NatsConn&) = delete;

    // One connection attempt. On failure returns false and sets `error`
    // (the client's status text, never a credential).
    bool connect(const std::vector<std::string>& servers, const PublishConfig& auth, std::string& error);
    void close();
    // Called (on the client's thread) for each negative or missing publish ack.
    void on_publish_error(jsPubAckErrHandler fn, void* closure) {
        err_fn_ = fn;
        err_closure_ = closure;
    }
    bool connected() const { return nc_ != nullptr; }
    natsConnection* nc() const { return nc_; }
    jsCtx* js() const { return js_; }

    // Creates `stream` with subjects PREFIX.> and max age if it does not exist.
    bool ensure_stream(const PublishConfig& p, std::string& error);

private:
    natsConnection* nc_ = nullptr;
    jsCtx* js_ = nullptr;
    jsPubAckErrHandler err_fn_ = nullptr;
    void* err_closure_ = nullptr;
};

}  // namespace sw::fleet
