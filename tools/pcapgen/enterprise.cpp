// The enterprise-day workload: a company's working day(s) on the wire, with
// remote data staging injected and a truth of both. Every session is planned
// up front (hosts, users, shares, names, sizes, start times) from the seed;
// the simulator then plays the sessions of each host in order. Sizes are
// those of real files divided by about 1000 (a 5 MB document is 5 KB): the
// pattern, host counts and time span are what matters, so a day for 200
// workstations is a few tens of MB. docs/pcapgen.md lists the patterns.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "tools/pcapgen/sim.h"
#include "tools/pcapgen/smb2.h"

namespace pcapgen {
namespace {

constexpr const char* kFirst[] = {"james", "mary",  "robert", "patricia", "john",    "jennifer", "michael",
                                  "linda", "david", "elena",  "william",  "susan",   "richard",  "jessica",
                                  "joseph", "sarah", "thomas", "karen",   "charles", "nancy",    "daniel",
                                  "lisa",  "matthew", "betty", "anthony", "sandra",  "mark",     "ashley",
                                  "paul",  "emily", "steven", "donna",    "andrew",  "michelle", "kevin",
                                  "carol", "brian", "amanda", "george",   "melissa", "ahmed",    "priya",
                                  "wei",   "yuki",  "omar",   "sofia",    "lukas",   "ines"};
constexpr const char* kLast[] = {"smith",  "johnson", "williams", "brown",   "jones",    "garcia",  "miller",
                                 "davis",  "rodriguez", "martinez", "hernandez", "lopez", "gonzalez", "wilson",
                                 "anderson", "thomas", "taylor",  "moore",   "jackson",  "martin",  "lee",
                                 "perez",  "thompson", "white",   "harris",  "sanchez",  "clark",   "ramirez",
                                 "lewis",  "robinson", "walker",  "young",   "allen",    "king",    "wright",
                                 "scott",  "torres",  "nguyen",   "hill",    "flores",   "green",   "adams",
                                 "nelson", "baker",   "hall",     "rivera",  "campbell", "mitchell", "carter",
                                 "roberts", "schmidt", "muller",  "fischer", "weber",    "kowalski", "novak",
                                 "tanaka", "chen",    "patel",    "kumar"};
constexpr const char* kTeams[] = {"Finance", "Sales", "Marketing", "Engineering", "HR", "Legal", "Operations",
                                  "Support"};
constexpr const char* kDocs[] = {"Budget 2024", "Quarterly Report", "Meeting Notes", "Project Plan",
                                 "Customer List", "Offer", "Invoice 4711", "Roadmap", "Minutes",
                                 "Travel Expenses", "Forecast", "Contract Draft", "Presentation"};
constexpr const char* kOfficeExt[] = {".docx", ".xlsx", ".pptx"};
constexpr const char* kPersonalZips[] = {"photos_summer", "tax_return_2023", "old_projects", "thesis_backup",
                                         "wedding_pictures", "scans", "downloads_backup"};
constexpr const char* kProfileFiles[] = {
    "NTUSER.DAT", "AppData\\Roaming\\Microsoft\\Windows\\Recent\\CustomDestinations\\5f7b5f1e01b83767.customDestinations-ms",
    "AppData\\Roaming\\Microsoft\\Office\\Recent\\index.dat", "AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm",
    "AppData\\Roaming\\Microsoft\\Signatures\\Default.htm", "AppData\\Roaming\\Mozilla\\Firefox\\profiles.ini"};
constexpr const char* kPackages[] = {"7-Zip\\23.01", "Chrome\\122.0", "AdobeReader\\2024.001", "Office365\\16.0.17328",
                                     "Zoom\\5.17", "VSCode\\1.87", "Teams\\24004"};
constexpr const char* kPackageFiles[] = {"setup.msi", "Data1.cab", "setup.ini", "install.cmd"};
constexpr const char* kTools[] = {"Tools\\procexp64.exe", "Tools\\Autoruns64.exe", "Windows\\Temp\\LAPS.x64.msi",
                                  "Tools\\tcpview64.exe", "Windows\\Temp\\agent_update.msi", "Tools\\diag.ps1",
                                  "Tools\\PsInfo64.exe", "Windows\\Temp\\hotfix_kb5034441.msu"};
constexpr const char* kProjects[] = {"Webshop", "Billing", "MobileApp", "DataPipeline", "Intranet"};
constexpr const char* kStageDirs[] = {"ProgramData\\Microsoft\\Crypto\\Cache", "Users\\Public\\Libraries\\sync",
                                      "PerfLogs\\Admin", "Windows\\Temp\\wsus"};
constexpr const char* kStageNames[] = {"docs", "mail", "finance", "share", "desktop", "db"};
constexpr const char* kStageExt[] = {".7z", ".zip", ".rar"};

constexpr std::uint64_t kSec = 1000000000ULL;

std::string dotted(std::uint32_t ip) {
    char b[16];
    std::snprintf(b, sizeof b, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
    return b;
}

std::string num(const char* fmt, std::uint64_t v) {
    char b[64];
    std::snprintf(b, sizeof b, fmt, static_cast<unsigned long long>(v));
    return b;
}

std::string ext_of(const std::string& n) {
    const auto k = n.find_last_of('.');
    return k == std::string::npos ? std::string() : n.substr(k);
}

std::string base_of(const std::string& n) {
    const auto s = n.find_last_of('\\');
    const std::string b = s == std::string::npos ? n : n.substr(s + 1);
    const auto k = b.find_last_of('.');
    return k == std::string::npos ? b : b.substr(0, k);
}

}  // namespace

void Sim::setup_enterprise() {
    EnterpriseTruth& et = truth_.enterprise;
    et.on = true;
    et.days = opt_.days;
    et.day0_ns = opt_.start_time / 86400 * 86400 * kSec;
    Rng hr(opt_.seed, 2);  // hosts and users
    Rng pr(opt_.seed, 3);  // the plan

    // Servers: file servers, then the infrastructure; build agents last.
    const std::uint32_t nfs = opt_.servers;
    const std::uint32_t kAgents = 4, kLinux = 3;
    std::vector<std::pair<std::string, std::string>> srv;  // name, role
    for (std::uint32_t i = 0; i < nfs; ++i) srv.emplace_back(num("FS%02llu", i + 1), "file-server");
    srv.emplace_back("DIST01", "distribution");
    srv.emplace_back("BUILD01", "build-share");
    srv.emplace_back("BACKUP01", "backup-server");
    srv.emplace_back("NAS01", "backup-storage");
    for (std::uint32_t i = 0; i < kLinux; ++i) srv.emplace_back(num("LNX%02llu", i + 1), "linux-server");
    for (std::uint32_t i = 0; i < kAgents; ++i) srv.emplace_back(num("BLDAG%02llu", i + 1), "build-agent");
    servers_.resize(srv.size());
    clients_.resize(opt_.clients);
    static constexpr const char* kServerBanners[] = {"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
                                                     "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"};
    static constexpr const char* kClientBanners[] = {"SSH-2.0-OpenSSH_for_Windows_8.1", "SSH-2.0-PuTTY_Release_0.78",
                                                     "SSH-2.0-WinSCP_release_6.1.2"};
    auto init = [&](Host& h, std::uint32_t ip, bool windows) {
        h.ip = ip;
        h.windows = windows;
        h.ttl = windows ? 128 : 64;
        h.ip_id = static_cast<std::uint16_t>(hr.next());
        h.next_port = static_cast<std::uint16_t>(49152 + hr.below(16000));
        h.ip_str = dotted(ip);
        h.mac[0] = 0x02;
        h.mac[1] = 0x00;
        for (int k = 0; k < 4; ++k) h.mac[2 + k] = static_cast<std::uint8_t>(ip >> (24 - 8 * k));
    };
    for (std::uint32_t i = 0; i < srv.size(); ++i) {
        Host& h = servers_[i];
        const bool linux_host = srv[i].second == "linux-server";
        init(h, 0x0a0a0000u | ((i / 250) << 8) | (1 + i % 250), !linux_host);
        h.name = srv[i].first;
        h.ssh_banner = hr.pick(kServerBanners);
    }
    // Workstations: a realistic account per user (first initial + surname,
    // a digit on a clash); the first of every 100 belong to administrators.
    std::map<std::string, int> taken;
    const std::uint32_t nadmin = std::max<std::uint32_t>(1, opt_.clients / 100);
    for (std::uint32_t i = 0; i < opt_.clients; ++i) {
        Host& h = clients_[i];
        const bool windows = hr.below(10) != 0;
        init(h, 0x0a140000u | ((i / 250) << 8) | (1 + i % 250), windows);
        h.name = num(windows ? "WS-%04llu" : "LX-%04llu", i + 1);
        std::string u = std::string(1, hr.pick(kFirst)[0]) + hr.pick(kLast);
        if (const int n = taken[u]++; n > 0) u += std::to_string(n + 1);
        h.user = u;
        h.ssh_banner = windows ? hr.pick(kClientBanners) : "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3";
    }
    for (std::uint32_t i = 0; i < opt_.clients; ++i)
        et.hosts.push_back({clients_[i].ip_str, clients_[i].name, i < nadmin ? "admin-workstation" : "workstation",
                            clients_[i].user});
    for (std::uint32_t i = 0; i < srv.size(); ++i) et.hosts.push_back({servers_[i].ip_str, servers_[i].name, srv[i].second, ""});
    for (const Host& h : clients_) truth_.clients.push_back({h.ip_str, h.name, h.user});
    for (const Host& h : servers_) truth_.servers.push_back({h.ip_str, h.name, ""});

    Host& dist = servers_[nfs];
    Host& build = servers_[nfs + 1];
    Host& backup = servers_[nfs + 2];
    Host& nas = servers_[nfs + 3];
    auto linux_srv = [&](std::uint32_t k) -> Host& { return servers_[nfs + 4 + k]; };
    auto agent = [&](std::uint32_t k) -> Host& { return servers_[nfs + 4 + kLinux + k]; };
    et.allow_collectors.push_back(backup.ip_str);

    // Jobs by acting host: workstations, then servers.
    std::vector<std::vector<Job>> plan(clients_.size() + servers_.size());
    auto slot = [&](const Host& h) -> std::vector<Job>& {
        if (&h >= clients_.data() && &h < clients_.data() + clients_.size())
            return plan[static_cast<std::size_t>(&h - clients_.data())];
        return plan[clients_.size() + static_cast<std::size_t>(&h - servers_.data())];
    };
    std::map<std::string, std::uint64_t> patterns;
    auto job = [&](const char* pattern, std::uint64_t t, Host& c, Host& s, std::string share, std::string user) -> Job& {
        auto& v = slot(c);
        v.emplace_back();
        Job& j = v.back();
        j.start_ns = t;
        j.pattern = pattern;
        j.client = &c;
        j.server = &s;
        j.share = std::move(share);
        j.user = std::move(user);
        return j;
    };
    auto kb = [&](std::uint64_t lo, std::uint64_t hi) { return pr.range(lo << 10, hi << 10); };
    auto office = [&](Job& j, const std::string& dir) {
        // Office's save: a temporary ~WRLxxxx.tmp written, then renamed.
        const std::string doc = std::string(pr.pick(kDocs)) + pr.pick(kOfficeExt);
        j.files.push_back({dir + num("~WRL%04llu.tmp", pr.below(10000)), dir + doc, kb(2, 16), true});
    };
    std::uint64_t build_no = 1000;

    for (std::uint32_t d = 0; d < opt_.days; ++d) {
        const std::uint64_t day = et.day0_ns + d * 86400 * kSec;
        auto at = [&](std::uint64_t h, std::uint64_t m) { return day + (h * 3600 + m * 60) * kSec; };
        auto within = [&](std::uint64_t from, std::uint64_t to) { return from + pr.below(to - from); };
        const std::string date = num("%llu", 20240305 + d);

        for (std::uint32_t i = 0; i < clients_.size(); ++i) {
            Host& w = clients_[i];
            Host& fs = servers_[i % nfs];
            const std::string& u = w.user;
            const std::string profile = u + ".V6\\";
            // Logon: the roaming profile is read.
            if (w.windows) {
                Job& j = job("roaming-profile", within(at(7, 30), at(9, 30)), w, fs, "profiles$", u);
                const std::uint64_t n = pr.range(2, 4);
                for (std::uint64_t k = 0; k < n; ++k)
                    j.files.push_back({profile + kProfileFiles[k], "", kb(1, 8), false});
            }
            // Folder redirection: Documents and Desktop on home$.
            const std::uint64_t sessions = pr.range(3, 7);
            for (std::uint64_t s = 0; s < sessions; ++s) {
                Job& j = job("folder-redirection", within(at(8, 45), at(17, 30)), w, fs, "home$", u);
                const std::uint64_t n = pr.range(1, 3);
                for (std::uint64_t k = 0; k < n; ++k) {
                    const std::uint64_t c = pr.below(10);
                    if (c < 5) {
                        office(j, u + "\\Documents\\");
                    } else if (c < 7) {
                        j.files.push_back({u + "\\Desktop\\" + pr.pick(kDocs) + num(" %llu.pdf", pr.below(100)), "",
                                           kb(4, 24), true});
                    } else {
                        j.files.push_back({u + "\\Documents\\" + pr.pick(kDocs) + pr.pick(kOfficeExt), "", kb(2, 16),
                                           false});
                    }
                }
            }
            // Home drive (H:) on users$.
            for (std::uint64_t s = pr.below(3); s > 0; --s) {
                Job& j = job("home-drive", within(at(9, 0), at(17, 0)), w, fs, "users$", u);
                j.files.push_back({u + num("\\notes_%llu.txt", pr.below(1000)), "", kb(1, 6), true});
                if (pr.below(2)) office(j, u + "\\");
            }
            // A personal zip saved into the user's own folder.
            if (pr.below(10) < 3) {
                const bool home = pr.below(2);
                Job& j = job("personal-zip", within(at(9, 0), at(17, 30)), w, fs, home ? "home$" : "users$", u);
                j.files.push_back({u + (home ? "\\Documents\\" : "\\") + pr.pick(kPersonalZips) + ".zip", "",
                                   kb(8, 40), true});
            }
            // The team's folder on a normal share.
            for (std::uint64_t s = pr.below(3); s > 0; --s) {
                Job& j = job("team-share", within(at(9, 0), at(17, 30)), w, servers_[0], "Projects", u);
                const std::string team = std::string(kTeams[i % 8]) + "\\";
                if (pr.below(2)) office(j, team);
                else j.files.push_back({team + pr.pick(kDocs) + pr.pick(kOfficeExt), "", kb(2, 16), false});
            }
            // Software deployment: a package read from the distribution share.
            if (pr.below(10) < 2) {
                Job& j = job("software-deployment", within(at(8, 0), at(18, 0)), w, dist, "software$", u);
                const std::string pkg = std::string("Packages\\") + pr.pick(kPackages) + "\\";
                for (const char* f : kPackageFiles) j.files.push_back({pkg + f, "", kb(1, 60), false});
            }
            // Logoff: the roaming profile is written back.
            if (w.windows) {
                Job& j = job("roaming-profile", within(at(16, 30), at(18, 30)), w, fs, "profiles$", u);
                const std::uint64_t n = pr.range(2, 5);
                for (std::uint64_t k = 0; k < n; ++k)
                    j.files.push_back({profile + kProfileFiles[k], "", kb(1, 8), true});
            }
            // Administrators copy tools through C$ to servers and workstations.
            if (i < nadmin) {
                for (std::uint64_t s = pr.range(2, 6); s > 0; --s) {
                    const std::uint64_t t = pr.below(clients_.size() + nfs);
                    Host& tgt = t < clients_.size() ? clients_[t] : servers_[t - clients_.size()];
                    if (&tgt == &w) continue;
                    Job& j = job("admin-tools", within(at(9, 0), at(17, 0)), w, tgt, "C$", "adm-" + u);
                    j.files.push_back({pr.pick(kTools), "", kb(1, 40), true});
                }
            }
        }
        // Build agents put artifacts on the build share.
        for (std::uint32_t k = 0; k < kAgents; ++k) {
            for (std::uint64_t b = pr.range(4, 8); b > 0; --b) {
                const std::string p = pr.pick(kProjects);
                const std::uint64_t bn = ++build_no;
                Job& j = job("build-artifacts", within(at(7, 0), at(20, 0)), agent(k), build, "artifacts$", "svc_build");
                const std::string dir = p + num("\\%llu\\", bn);
                j.files.push_back({dir + p + num("-1.%llu.zip", bn), "", kb(10, 40), true});
                j.files.push_back({dir + p + num(".1.%llu.nupkg", bn), "", kb(4, 20), true});
                j.files.push_back({dir + "build.log", "", kb(1, 4), true});
            }
        }
        // The nightly backup pulls from every server, then writes one archive
        // per server to the backup storage.
        std::uint64_t t = at(1, 0) + pr.below(600) * kSec;
        std::vector<Host*> sources;
        for (std::uint32_t k = 0; k < nfs; ++k) sources.push_back(&servers_[k]);
        sources.push_back(&dist);
        sources.push_back(&build);
        for (Host* s : sources) {
            Job& j = job("backup-pull", t, backup, *s, "D$", "svc_backup");
            for (std::uint64_t n = pr.range(6, 12); n > 0; --n)
                j.files.push_back({num("Shares\\data\\%05llu.dat", pr.below(100000)), "", kb(2, 16), false});
            t += pr.range(300, 1200) * kSec;
        }
        {
            Job& j = job("backup-store", t + 300 * kSec, backup, nas, "backup$", "svc_backup");
            for (Host* s : sources) j.files.push_back({date + "\\" + s->name + ".7z", "", kb(20, 60), true});
        }
        // Deployments: a build agent copies a release to the Linux servers.
        for (std::uint32_t k = 0; k < kLinux; ++k) {
            Job& j = job("deploy-scp", within(at(12, 0), at(16, 0)), agent(pr.below(kAgents)), linux_srv(k), "", "");
            j.scp = true;
            j.files.push_back({"release.tar.gz", "", kb(10, 40), true});
        }
    }

    // Staging: sources copy archives to one host, fast (minutes) or slow
    // (one source every hour or so). Kinds cycle so every run has each.
    std::vector<bool> used(clients_.size(), false);
    for (std::uint32_t i = 0; i < nadmin; ++i) used[i] = true;  // admins stay benign
    std::vector<bool> linux_used(kLinux, false);
    auto free_client = [&](bool want_windows) -> std::int64_t {
        for (int tries = 0; tries < 1000; ++tries) {
            const std::uint64_t k = pr.below(clients_.size());
            if (!used[k] && clients_[k].windows == want_windows) return static_cast<std::int64_t>(k);
        }
        for (std::size_t k = 0; k < clients_.size(); ++k)
            if (!used[k]) return static_cast<std::int64_t>(k);
        return -1;
    };
    for (std::uint32_t c = 0; c < opt_.staging_cases; ++c) {
        static constexpr const char* kKinds[] = {"smb", "smb", "scp", "scp", "smb-encrypted", "smb-encrypted"};
        const std::string kind = kKinds[c % 6];
        const bool slow = c % 2 == 1;
        const std::uint32_t d = c % opt_.days;
        const std::uint64_t day = et.day0_ns + d * 86400 * kSec;
        // The target: a Linux server (scp, while one is free) or a workstation.
        Host* tgt = nullptr;
        if (kind == "scp") {
            for (std::uint32_t k = 0; k < kLinux && !tgt; ++k)
                if (!linux_used[k]) {
                    linux_used[k] = true;
                    tgt = &linux_srv(k);
                }
        }
        if (!tgt) {
            const std::int64_t k = free_client(kind != "scp");
            if (k < 0) break;
            used[static_cast<std::size_t>(k)] = true;
            tgt = &clients_[static_cast<std::size_t>(k)];
        }
        const std::uint64_t nsrc = pr.range(3, 5);
        std::vector<Host*> srcs;
        for (std::uint64_t s = 0; s < nsrc; ++s) {
            const std::int64_t k = free_client(true);
            if (k < 0) break;
            used[static_cast<std::size_t>(k)] = true;
            srcs.push_back(&clients_[static_cast<std::size_t>(k)]);
        }
        if (srcs.size() < 3) break;
        StagingCaseTruth ct;
        ct.id = c;
        ct.kind = kind;
        ct.speed = slow ? "slow" : "fast";
        ct.target = tgt->ip_str;
        ct.target_name = tgt->name;
        ct.day = d;
        ct.account = pr.below(2) ? "adm-" + clients_[0].user : "svc_sccm";
        const bool per_source_dir = kind == "smb" && pr.below(3) == 0;
        if (kind == "smb") {
            ct.share = pr.below(4) ? "C$" : "ADMIN$";
            ct.dir = ct.share == "C$" ? pr.pick(kStageDirs) : "Temp\\sys";
        } else if (kind == "smb-encrypted") {
            ct.share = pr.below(2) ? "C$" : "data$";
        }
        std::uint64_t t = day + (slow ? pr.range(9 * 3600, 11 * 3600) : pr.range(10 * 3600, 15 * 3600)) * kSec;
        ct.first_ns = t;
        for (Host* s : srcs) {
            ct.sources.push_back(s->ip_str);
            ct.last_ns = t;
            if (kind == "scp") {
                Job& j = job(nullptr, t, *s, *tgt, "", "");
                j.scp = true;
                j.files.push_back({"", "", kb(24, 60), true});
                ct.bytes += j.files.back().size;
            } else {
                Job& j = job(nullptr, t, *s, *tgt, ct.share, ct.account);
                j.encrypt = kind == "smb-encrypted";
                std::string dir = ct.dir.empty() ? std::string() : ct.dir + "\\";
                if (per_source_dir) dir += s->name + "\\";
                for (std::uint64_t n = pr.range(1, 2); n > 0; --n) {
                    const std::string name = dir + s->name + "_" + pr.pick(kStageNames) + pr.pick(kStageExt);
                    j.files.push_back({name, "", kb(20, 40), true});
                    ct.bytes += j.files.back().size;
                }
            }
            t += (slow ? pr.range(50 * 60, 110 * 60) : pr.range(60, 360)) * kSec;
        }
        et.cases.push_back(std::move(ct));
    }
    // A staging target receives nothing else that day (no deployment, no
    // admin copy), so its notices name exactly the case's sources.
    for (auto& v : plan) {
        std::erase_if(v, [&](const Job& j) {
            if (!j.pattern) return false;
            const std::uint64_t d = (j.start_ns - et.day0_ns) / (86400 * kSec);
            for (const auto& c : et.cases)
                if (c.day == d && c.target == j.server->ip_str) return true;
            return false;
        });
        for (const Job& j : v)
            if (j.pattern) ++patterns[j.pattern];
    }
    for (const auto& [k, v] : patterns) et.patterns.emplace_back(k, v);

    // One actor per host with sessions, playing them in time order.
    for (auto& v : plan) {
        if (v.empty()) continue;
        std::stable_sort(v.begin(), v.end(), [](const Job& a, const Job& b) { return a.start_ns < b.start_ns; });
        auto a = std::make_unique<Actor>();
        a->id = static_cast<std::uint32_t>(actors_.size());
        a->rng = Rng(opt_.seed, 1000 + a->id);
        a->jobs = std::move(v);
        actors_.push_back(std::move(a));
    }
}

Sim::Start Sim::start_job(Actor& a) {
    if (a.next_job >= a.jobs.size()) return Start::kDone;
    const Job& j = a.jobs[a.next_job];
    if (a.ready_ns < j.start_ns) {
        a.ready_ns = j.start_ns;
        return Start::kIdle;
    }
    ++a.next_job;
    a.task = j.scp ? ssh_session(a, 0, &j) : enterprise_smb(a, j);
    return Start::kStarted;
}

Msg Sim::encrypted_msg(Actor& a, int slot, std::size_t clear_len, std::uint64_t data_len, std::uint64_t session_id) {
    // SMB2 TRANSFORM_HEADER ([MS-SMB2] 2.2.41) in front of the ciphertext,
    // which is as long as the message it replaces (AES-GCM).
    const std::uint64_t orig = clear_len - 4 + data_len;
    Buf b(a.head[slot], Actor::kHead);
    const std::uint64_t len = 52 + orig;
    b.u8(0);
    b.u8(static_cast<std::uint32_t>(len >> 16));
    b.u8(static_cast<std::uint32_t>((len >> 8) & 255));
    b.u8(static_cast<std::uint32_t>(len & 255));
    b.u8(0xfd);
    b.str("SMB");
    for (int k = 0; k < 4; ++k) b.le32(a.rng.u32());  // signature (AEAD tag)
    for (int k = 0; k < 3; ++k) b.le32(a.rng.u32());  // 12-byte GCM nonce
    b.le32(0);
    b.le32(static_cast<std::uint32_t>(orig));
    b.le16(0);
    b.le16(0x0001);  // encrypted
    b.le64(session_id);
    Msg m = head_msg(a, slot, b.size());
    m.pool_off = a.rng.below(kPoolSize);
    m.data_len = orig;
    return m;
}

Task Sim::enterprise_smb(Actor& a, const Job& j) {
    Host& cl = *j.client;
    Host& sv = *j.server;
    new_conn(a, cl, sv, 445, kSmb);
    const SmbIdentity id{j.user, domain_, dns_domain_, cl.name, sv.name};
    Smb2Conversation smb(kDialect311, id, a.rng);
    const std::string tree = "\\\\" + sv.name + "\\" + j.share;
    const std::uint32_t si = static_cast<std::uint32_t>(truth_.smb_sessions.size());
    {
        SmbSessionTruth t;
        t.client = cl.ip_str;
        t.client_port = a.conn.side[kC2S].port;
        t.server = sv.ip_str;
        t.server_name = sv.name;
        t.dialect = "3.1.1";
        t.user = id.user;
        t.domain = id.domain;
        t.workstation = id.workstation;
        t.tree = tree;
        t.start_ns = std::max(a.ready_ns, clock_ns_);
        truth_.smb_sessions.push_back(std::move(t));
    }
    auto now = [&] { return std::max(a.ready_ns, clock_ns_); };
    bool enc = false;  // after the tree connect of an encrypted share
    // A request and its response; `req_data`/`resp_data` bytes follow the
    // heads (WRITE data, READ data) and are encrypted with them.
    auto exchange = [&](auto&& build_req, auto&& build_resp, std::uint64_t gap, std::uint64_t lo_us,
                        std::uint64_t hi_us, std::uint64_t req_data = 0, std::uint64_t resp_data = 0) {
        Buf rq(a.head[0], Actor::kHead);
        build_req(rq);
        Msg mq = enc ? encrypted_msg(a, 0, rq.size(), req_data, smb.session_id()) : head_msg(a, 0, rq.size());
        if (!enc && req_data) {
            if (a.magic_len) {
                mq.magic = a.magic;
                mq.magic_len = static_cast<std::uint32_t>(std::min<std::uint64_t>(a.magic_len, req_data));
            }
            mq.pool_off = a.rng.below(kPoolSize);
            mq.data_len = req_data - mq.magic_len;
        }
        queue(a, kC2S, mq, gap);
        Buf rs(a.head[1], Actor::kHead);
        build_resp(rs);
        Msg ms = enc ? encrypted_msg(a, 1, rs.size(), resp_data, smb.session_id()) : head_msg(a, 1, rs.size());
        if (!enc && resp_data) {
            ms.pool_off = a.rng.below(kPoolSize);
            ms.data_len = resp_data;
        }
        queue(a, kS2C, ms, server_delay(a, lo_us, hi_us));
    };
    const std::uint64_t ms1 = 1000000;

    queue_connect(a);
    exchange([&](Buf& b) { smb.negotiate_request(b); },
             [&](Buf& b) { smb.negotiate_response(b, now(), now() - 86400000 * ms1 - a.rng.below(86400000) * ms1); },
             a.conn.rtt_ns / 2 + a.rng.range(20, 300) * 1000, 50, 400);
    co_await drain(a);
    exchange([&](Buf& b) { smb.session_setup_negotiate(b); }, [&](Buf& b) { smb.session_setup_challenge(b, now()); },
             a.rng.range(100, 2000) * 1000, 100, 800);
    co_await drain(a);
    truth_.smb_sessions[si].session_id = smb.session_id();
    exchange([&](Buf& b) { smb.session_setup_authenticate(b, now()); }, [&](Buf& b) { smb.session_setup_done(b); },
             a.rng.range(200, 3000) * 1000, 500, 5000);
    co_await drain(a);
    exchange([&](Buf& b) { smb.tree_connect_request(b, tree); },
             [&](Buf& b) { smb.tree_connect_response(b, j.encrypt); }, a.rng.range(100, 2000) * 1000, 50, 500);
    co_await drain(a);
    enc = j.encrypt;

    for (const FileOp& f : j.files) {
        const std::uint32_t fi = static_cast<std::uint32_t>(truth_.smb_files.size());
        {
            SmbFileTruth t;
            t.session = si;
            t.name = f.rename_to.empty() ? f.name : f.rename_to;
            t.renamed_from = f.rename_to.empty() ? std::string() : f.name;
            t.write = f.write;
            t.size = f.size;
            const std::string& final_name = f.rename_to.empty() ? f.name : f.rename_to;
            if (f.write) file_magic(a, ext_of(final_name), base_of(final_name), f.size, t.magic);
            else a.magic_len = 0;
            truth_.smb_files.push_back(std::move(t));
        }
        exchange([&](Buf& b) { smb.create_request(b, f.name, f.write); },
                 [&](Buf& b) { smb.create_response(b, f.write, f.write ? 0 : f.size, now()); },
                 a.rng.range(200, 5000) * 1000, 100, 1500);
        co_await drain(a);
        truth_.smb_files[fi].fid_persistent = smb.file_persistent();
        truth_.smb_files[fi].fid_volatile = smb.file_volatile();
        const std::uint32_t len = static_cast<std::uint32_t>(f.size);
        if (f.write) {
            exchange([&](Buf& b) { smb.write_request(b, len, 0); }, [&](Buf& b) { smb.write_response(b, len); },
                     a.rng.range(20, 400) * 1000, 100, 3000, len, 0);
        } else {
            exchange([&](Buf& b) { smb.read_request(b, len, 0); }, [&](Buf& b) { smb.read_response(b, len); },
                     a.rng.range(20, 400) * 1000, 100, 3000, 0, len);
        }
        co_await drain(a);
        SmbFileTruth& ft = truth_.smb_files[fi];
        if (f.write) {
            ft.writes = 1;
            ft.bytes_written = len;
            truth_.smb_sessions[si].bytes_written += len;
        } else {
            ft.reads = 1;
            ft.bytes_read = len;
            truth_.smb_sessions[si].bytes_read += len;
        }
        if (!f.rename_to.empty()) {
            exchange([&](Buf& b) { smb.rename_request(b, f.rename_to); }, [&](Buf& b) { smb.rename_response(b); },
                     a.rng.range(100, 2000) * 1000, 100, 1500);
            co_await drain(a);
        }
        exchange([&](Buf& b) { smb.close_request(b); }, [&](Buf& b) { smb.close_response(b, f.size, now()); },
                 a.rng.range(50, 1000) * 1000, 50, 800);
        co_await drain(a);
        ++truth_.smb_sessions[si].files;
        co_await sleep(a, a.rng.range(200, 4000) * ms1);
    }
    exchange([&](Buf& b) { smb.tree_disconnect_request(b); }, [&](Buf& b) { smb.tree_disconnect_response(b); },
             a.rng.range(1, 50) * ms1, 50, 300);
    co_await drain(a);
    exchange([&](Buf& b) { smb.logoff_request(b); }, [&](Buf& b) { smb.logoff_response(b); },
             a.rng.range(100, 1000) * 1000, 50, 300);
    queue_close(a, kC2S, a.rng.range(100, 5000) * 1000);
    co_await drain(a);
}

}  // namespace pcapgen
