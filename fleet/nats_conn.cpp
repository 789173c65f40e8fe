#include "fleet/nats_conn.h"

namespace sw::fleet {

NatsConn::~NatsConn() { close(); }

void NatsConn::close() {
    if (js_) jsCtx_Destroy(js_);
    js_ = nullptr;
    if (nc_) {
        natsConnection_Close(nc_);
        natsConnection_Destroy(nc_);
    }
    nc_ = nullptr;
}

bool NatsConn::connect(const std::vector<std::string>& servers, const PublishConfig& a, std::string& error) {
    close();
    natsOptions* o = nullptr;
    natsStatus s = natsOptions_Create(&o);
    std::vector<const char*> urls;
    for (const auto& u : servers) urls.push_back(u.c_str());
    if (s == NATS_OK) s = natsOptions_SetServers(o, urls.data(), static_cast<int>(urls.size()));
    if (s == NATS_OK) s = natsOptions_SetAllowReconnect(o, true);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(o, 500);
    if (s == NATS_OK && !a.user.empty()) s = natsOptions_SetUserInfo(o, a.user.c_str(), a.password.c_str());
    if (s == NATS_OK && !a.token.empty()) s = natsOptions_SetToken(o, a.token.c_str());
    if (s == NATS_OK && !a.creds_file.empty())
        s = natsOptions_SetUserCredentialsFromFiles(o, a.creds_file.c_str(), nullptr);
    if (s == NATS_OK && (!a.ca_file.empty() || !a.cert_file.empty())) s = natsOptions_SetSecure(o, true);
    if (s == NATS_OK && !a.ca_file.empty()) s = natsOptions_LoadCATrustedCertificates(o, a.ca_file.c_str());
    if (s == NATS_OK && !a.cert_file.empty())
        s = natsOptions_LoadCertificatesChain(o, a.cert_file.c_str(), a.key_file.c_str());
    if (s == NATS_OK) s = natsConnection_Connect(&nc_, o);
    natsOptions_Destroy(o);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.MaxPending = 4096;
    jo.PublishAsync.ErrHandler = err_fn_;
    jo.PublishAsync.ErrHandlerClosure = err_closure_;
    if (s == NATS_OK) s = natsConnection_JetStream(&js_, nc_, &jo);
    if (s != NATS_OK) {
        error = natsStatus_GetText(s);
        close();
        return false;
    }
    return true;
}

bool NatsConn::ensure_stream(const PublishConfig& p, std::string& error) {
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&si, js_, p.stream.c_str(), nullptr, &jerr);
    if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return true;
    }
    if (s != NATS_NOT_FOUND) {
        error = natsStatus_GetText(s);
        return false;
    }
    const std::string subj = p.subject_prefix + ".>";
    const char* subjects[] = {subj.c_str()};
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = p.stream.c_str();
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.MaxAge = p.max_age * 1000;  // microseconds -> nanoseconds
    sc.Storage = js_FileStorage;
    s = js_AddStream(&si, js_, &sc, nullptr, &jerr);
    if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return true;
    }
    // Another sensor may have created it meanwhile.
    if (js_GetStreamInfo(&si, js_, p.stream.c_str(), nullptr, &jerr) == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return true;
    }
    error = natsStatus_GetText(s);
    return false;
}

}  // namespace sw::fleet
