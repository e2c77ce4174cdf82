#include "tonearm/verdict_cache.hpp"

#include "tonearm/error.hpp"
#include "tonearm/report_schema.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <thread>
#include <sys/stat.h>

namespace tonearm {
namespace {

constexpr int application_id = 0x746f6e61;  // "tona", in the database header
constexpr int schema_version = 1;
constexpr std::size_t batch_size = 256;
constexpr int busy_timeout_ms = 60'000;

struct CloseDatabase {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct FinalizeStatement {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

std::string key_of(const std::filesystem::path& path)
{
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(path, ec);
    return (ec ? path : absolute).lexically_normal().string();
}

std::int64_t nanoseconds(const timespec& t) { return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec; }

}  // namespace

std::optional<FileStamp> stamp_file(const std::filesystem::path& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return std::nullopt;
    return FileStamp{st.st_size, nanoseconds(st.st_mtim), nanoseconds(st.st_ctim), static_cast<std::uint64_t>(st.st_dev),
                     static_cast<std::uint64_t>(st.st_ino)};
}

struct VerdictCache::Impl {
    std::string name;  // the file, for messages
    std::unique_ptr<sqlite3, CloseDatabase> db;
    Statement select, upsert;
    struct Pending {
        std::string key;
        FileStamp stamp;
        std::int64_t checked_at;
        std::string verdict;
    };
    std::vector<Pending> pending;

    [[noreturn]] void fail(const std::string& what) const
    {
        switch (sqlite3_errcode(db.get()) & 0xFF) {
        case SQLITE_NOTADB:
            throw Error(ErrorKind::invalid_argument, name,
                        "not a tonearm verdict cache (not an SQLite database); give --cache another file");
        case SQLITE_CORRUPT:
            throw Error(ErrorKind::invalid_argument, name,
                        std::string("the verdict cache is damaged (") + sqlite3_errmsg(db.get()) + "); move it away");
        default: throw Error(ErrorKind::invalid_argument, name, what + ": " + sqlite3_errmsg(db.get()));
        }
    }
    void exec(const char* sql)
    {
        if (sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK)
            fail("cannot use it as a verdict cache");
    }
    Statement prepare(const char* sql)
    {
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK)
            fail("cannot use it as a verdict cache");
        return Statement(statement);
    }
    std::int64_t single_integer(const char* sql)
    {
        Statement statement = prepare(sql);
        if (sqlite3_step(statement.get()) != SQLITE_ROW)
            fail("not a tonearm verdict cache");
        return sqlite3_column_int64(statement.get(), 0);
    }
    std::string single_text(const char* sql)
    {
        Statement statement = prepare(sql);
        if (sqlite3_step(statement.get()) != SQLITE_ROW)
            fail("not a tonearm verdict cache");
        const auto* text = sqlite3_column_text(statement.get(), 0);
        return text ? reinterpret_cast<const char*>(text) : "";
    }

    void check_identity();
    void switch_to_wal();
    void create_schema();
};

// Reads before it writes: a file that is not a database, or not ours, fails here untouched.
void VerdictCache::Impl::check_identity()
{
    // One statement for both, so one snapshot: another process may create the schema in
    // between, and its id read before and its table read after would look like another
    // program's database.
    Statement identity = prepare(  // SQLITE_NOTADB: not a database at all
        "SELECT (SELECT application_id FROM pragma_application_id), (SELECT count(*) FROM sqlite_schema)");
    if (sqlite3_step(identity.get()) != SQLITE_ROW)
        fail("not a tonearm verdict cache");
    const auto id = sqlite3_column_int64(identity.get(), 0);
    const auto tables = sqlite3_column_int64(identity.get(), 1);
    identity.reset();
    if (id == 0 && tables == 0)
        return create_schema();
    if (id != application_id)
        throw Error(ErrorKind::invalid_argument, name,
                    "an SQLite database of another program, not a tonearm verdict cache; give --cache another file");
    if (single_integer("PRAGMA user_version") > schema_version)
        throw Error(ErrorKind::invalid_argument, name, "a verdict cache written by a newer tonearm");
    // Damage anywhere, not only where this run's files happen to be looked up.
    if (auto status = single_text("PRAGMA quick_check(1)"); status != "ok") {
        std::replace(status.begin(), status.end(), '\n', ' ');
        throw Error(ErrorKind::invalid_argument, name, "the verdict cache is damaged (" + status + "); move it away");
    }
}

// Switching to WAL needs the file to itself, and SQLite answers BUSY at once, without its
// busy handler, while another connection reads it (a second check opening the same new
// cache). So the wait is ours.
void VerdictCache::Impl::switch_to_wal()
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
    while (true) {
        Statement statement = prepare("PRAGMA journal_mode = WAL");
        const int status = sqlite3_step(statement.get());
        if (status == SQLITE_ROW) {
            const auto* mode = sqlite3_column_text(statement.get(), 0);
            if (!mode || std::string_view(reinterpret_cast<const char*>(mode)) != "wal")
                fail("cannot switch the verdict cache to WAL");
            return;
        }
        if ((status & 0xFF) != SQLITE_BUSY || std::chrono::steady_clock::now() > until)
            fail("cannot switch the verdict cache to WAL");
        statement.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void VerdictCache::Impl::create_schema()
{
    // WAL: readers never block the writer; one writer at a time, each transaction short.
    switch_to_wal();
    exec("BEGIN IMMEDIATE");
    // Another process may have created it meanwhile: everything below holds either way.
    exec("CREATE TABLE IF NOT EXISTS verdicts ("
         " path BLOB PRIMARY KEY,"  // absolute, as the file system spells it
         " size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,"
         " device INTEGER NOT NULL, inode INTEGER NOT NULL,"
         " rules TEXT NOT NULL,"          // check_rules_version()
         " checked_at INTEGER NOT NULL,"  // Unix time, seconds
         " verdict TEXT NOT NULL"         // report_schema.hpp's JSON
         ") WITHOUT ROWID");
    exec(("PRAGMA application_id = " + std::to_string(application_id)).c_str());
    exec(("PRAGMA user_version = " + std::to_string(schema_version)).c_str());
    exec("COMMIT");
}

VerdictCache VerdictCache::open(const std::filesystem::path& file)
{
    auto impl = std::make_unique<Impl>();
    impl->name = file.string();
    sqlite3* db = nullptr;
    const int status = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                       nullptr);
    impl->db.reset(db);
    if (status != SQLITE_OK)
        impl->fail("cannot open the verdict cache");
    sqlite3_busy_timeout(db, busy_timeout_ms);
    sqlite3_extended_result_codes(db, 1);
    impl->check_identity();
    impl->exec("PRAGMA synchronous = NORMAL");  // with WAL: a crash loses at most the last batch
    impl->select = impl->prepare(
        "SELECT size, mtime_ns, ctime_ns, device, inode, rules, checked_at, verdict FROM verdicts WHERE path = ?");
    impl->upsert = impl->prepare(
        "INSERT INTO verdicts (path, size, mtime_ns, ctime_ns, device, inode, rules, checked_at, verdict)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET size = excluded.size,"
        " mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns, device = excluded.device,"
        " inode = excluded.inode, rules = excluded.rules, checked_at = excluded.checked_at,"
        " verdict = excluded.verdict");
    return VerdictCache(std::move(impl));
}

VerdictCache::VerdictCache(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VerdictCache::VerdictCache(VerdictCache&&) noexcept = default;
VerdictCache& VerdictCache::operator=(VerdictCache&&) noexcept = default;
VerdictCache::~VerdictCache()
{
    if (!impl_)
        return;
    try {
        flush();
    } catch (const Error&) {
        // Already failing elsewhere (flush() is called explicitly on the normal path).
    }
}

std::optional<CheckResult> VerdictCache::find(const std::filesystem::path& path, const FileStamp& stamp,
                                              std::optional<std::chrono::seconds> max_age)
{
    sqlite3_stmt* q = impl_->select.get();
    const std::string key = key_of(path);
    sqlite3_reset(q);
    sqlite3_bind_blob(q, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    const int step = sqlite3_step(q);
    if (step == SQLITE_DONE)
        return std::nullopt;
    if (step != SQLITE_ROW)
        impl_->fail("cannot read the verdict cache");
    const FileStamp recorded{sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1), sqlite3_column_int64(q, 2),
                             static_cast<std::uint64_t>(sqlite3_column_int64(q, 3)),
                             static_cast<std::uint64_t>(sqlite3_column_int64(q, 4))};
    const auto* rules = reinterpret_cast<const char*>(sqlite3_column_text(q, 5));
    const auto checked_at = std::chrono::sys_seconds(std::chrono::seconds(sqlite3_column_int64(q, 6)));
    if (recorded != stamp || !rules || rules != check_rules_version())
        return std::nullopt;
    if (max_age && std::chrono::system_clock::now() - checked_at > *max_age)
        return std::nullopt;
    const auto* verdict = reinterpret_cast<const char*>(sqlite3_column_text(q, 7));
    try {
        CheckResult result = check_result_from_json(Json::parse(verdict ? verdict : ""));
        result.path = path;
        return result;
    } catch (const Json::exception& e) {
        throw Error(ErrorKind::invalid_argument, impl_->name,
                    "the verdict cache is damaged (the entry for " + key + " does not parse: " + e.what() + ")");
    }
}

void VerdictCache::store(const std::filesystem::path& path, const CheckResult& result, const FileStamp& stamp)
{
    CheckResult stored = result;
    stored.cached = false;
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    impl_->pending.push_back({key_of(path), stamp, now.time_since_epoch().count(), dump(to_json(stored))});
    if (impl_->pending.size() >= batch_size)
        flush();
}

void VerdictCache::flush()
{
    if (impl_->pending.empty())
        return;
    impl_->exec("BEGIN IMMEDIATE");
    sqlite3_stmt* q = impl_->upsert.get();
    for (const auto& entry : impl_->pending) {
        sqlite3_reset(q);
        sqlite3_bind_blob(q, 1, entry.key.data(), static_cast<int>(entry.key.size()), SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, entry.stamp.size);
        sqlite3_bind_int64(q, 3, entry.stamp.mtime_ns);
        sqlite3_bind_int64(q, 4, entry.stamp.ctime_ns);
        sqlite3_bind_int64(q, 5, static_cast<std::int64_t>(entry.stamp.device));
        sqlite3_bind_int64(q, 6, static_cast<std::int64_t>(entry.stamp.inode));
        const auto rules = check_rules_version();
        sqlite3_bind_text(q, 7, rules.data(), static_cast<int>(rules.size()), SQLITE_STATIC);
        sqlite3_bind_int64(q, 8, entry.checked_at);
        sqlite3_bind_text(q, 9, entry.verdict.data(), static_cast<int>(entry.verdict.size()), SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE) {
            const std::string why = sqlite3_errmsg(impl_->db.get());
            sqlite3_exec(impl_->db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
            impl_->pending.clear();
            throw Error(ErrorKind::invalid_argument, impl_->name, "cannot write to the verdict cache: " + why);
        }
    }
    sqlite3_reset(q);
    impl_->pending.clear();
    impl_->exec("COMMIT");
}

std::size_t VerdictCache::entries()
{
    return static_cast<std::size_t>(impl_->single_integer("SELECT count(*) FROM verdicts"));
}

std::vector<CheckResult> check_all(std::span<const CheckInput> inputs, const CheckAllOptions& options,
                                   VerdictCache& cache, const CacheOptions& cache_options)
{
    // Stamps are taken before anything is decoded: a file that changes while it is checked
    // is recorded with its old stamp, and so checked again next time.
    std::vector<std::optional<FileStamp>> stamps(inputs.size());
    std::vector<std::optional<CheckResult>> known(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].problem)
            continue;
        stamps[i] = stamp_file(inputs[i].path);
        if (stamps[i])
            known[i] = cache.find(inputs[i].path, *stamps[i], cache_options.recheck_after);
    }
    CheckAllOptions cached = options;
    cached.check = [&](std::size_t index, const CheckInput& input) {
        if (known[index]) {
            CheckResult result = std::move(*known[index]);
            result.cached = true;
            result.seconds = 0;
            return result;
        }
        return options.check ? options.check(index, input) : check_file(input.path);
    };
    cached.on_result = [&](std::size_t index, const CheckResult& result) {
        if (!result.cached && stamps[index])
            cache.store(inputs[index].path, result, *stamps[index]);
        if (options.on_result)
            options.on_result(index, result);
    };
    auto results = check_all(inputs, cached);
    cache.flush();
    return results;
}

}  // namespace tonearm
