// Ogg (RFC 3533): pages found and CRC-checked by libogg. Ogg declares no length; a whole file
// ends each logical stream with an end-of-stream page, so a cut shows as a missing one or as
// a page the file ends inside.
#include "containers/container.hpp"

#include <ogg/ogg.h>

#include <algorithm>
#include <vector>

namespace tonearm::detail {
namespace {

// The pages of a file, found and CRC-checked by libogg, with where each lies in the file.
class OggPages {
public:
    OggPages(ByteSource& bytes, std::int64_t from);
    ~OggPages() { ogg_sync_clear(&sync_); }
    OggPages(const OggPages&) = delete;
    OggPages& operator=(const OggPages&) = delete;

    enum class Event {
        page,      // page() holds a page whose CRC holds, at offset()
        rejected,  // a page header at offset() that libogg rejected: its CRC fails
        end,       // the end of the file (cut_page() tells what is left after the last page)
    };
    Event next();

    const ogg_page& page() const noexcept { return page_; }
    std::int64_t offset() const noexcept { return offset_; }
    // At the end: why the bytes after the last whole page are a cut page, or "" if they are not
    // one (none, or trailing bytes with no page header).
    std::string cut_page() const;

private:
    ByteSource& bytes_;
    ogg_sync_state sync_{};
    ogg_page page_{};
    std::int64_t fed_;       // file offset of the next byte to hand libogg
    std::int64_t consumed_;  // file offset of the first byte libogg has not returned or skipped
    std::int64_t offset_ = 0;
};

OggPages::OggPages(ByteSource& bytes, std::int64_t from) : bytes_(bytes), fed_(from), consumed_(from)
{
    ogg_sync_init(&sync_);
}

OggPages::Event OggPages::next()
{
    for (;;) {
        const long got = ogg_sync_pageseek(&sync_, &page_);
        if (got > 0) {
            offset_ = consumed_;
            consumed_ += got;
            return Event::page;
        }
        if (got < 0) {
            // libogg skips bytes that are no page; a skip that starts at a capture pattern is a
            // page whose header or CRC it rejected.
            offset_ = consumed_;
            consumed_ -= got;
            if (starts_with(bytes_.read(offset_, 4), "OggS"))
                return Event::rejected;
            continue;
        }
        if (fed_ >= bytes_.size())
            return Event::end;
        constexpr std::size_t chunk = 64 << 10;
        char* buffer = ogg_sync_buffer(&sync_, chunk);
        const std::size_t n =
            bytes_.read_into(fed_, {reinterpret_cast<std::uint8_t*>(buffer), buffer ? chunk : 0});
        if (n == 0)
            return Event::end;
        ogg_sync_wrote(&sync_, static_cast<long>(n));
        fed_ += static_cast<std::int64_t>(n);
    }
}

std::string OggPages::cut_page() const
{
    const std::int64_t left = bytes_.size() - consumed_;
    const auto header = bytes_.read(consumed_, 27);
    if (left <= 0 || !starts_with(header, "OggS"))
        return {};
    if (header.size() < 27)
        return "the last Ogg page is cut (the file ends inside its header)";
    const std::size_t segments = header[26];
    const auto lacing = bytes_.read(consumed_ + 27, segments);
    std::int64_t size = 27 + static_cast<std::int64_t>(segments);
    for (const std::uint8_t value : lacing)
        size += value;
    if (lacing.size() < segments)
        return "the last Ogg page is cut (the file ends inside its header)";
    return "the last Ogg page is cut (it needs " + plural(size, "byte") + ", the file holds " + std::to_string(left) + ")";
}

}  // namespace

StreamLength ogg_length(ByteSource& bytes)
{
    // The end of the file only: the last page, whole or cut, and its end-of-stream flag. The
    // last two pages' worth of bytes (at most 65,307 each) always hold a page boundary.
    constexpr std::int64_t tail = 2 * 65307;
    OggPages pages(bytes, std::max<std::int64_t>(0, bytes.size() - tail));
    bool found = false, ended = false;
    OggPages::Event event;
    while ((event = pages.next()) != OggPages::Event::end) {
        if (event == OggPages::Event::page) {
            found = true;
            ended = ogg_page_eos(&pages.page()) != 0;
        }
    }
    StreamLength length;
    if (auto cut = pages.cut_page(); !cut.empty())
        length.cut = std::move(cut);
    else if (found)
        length.cut = ended ? "" : "the Ogg stream ends without its end-of-stream page";
    return length;
}

ContainerFacts walk_ogg(ByteSource& bytes)
{
    struct Stream {
        long serial;
        long next_sequence;
        bool ended;
    };
    std::vector<Stream> streams;  // usually one
    ContainerFacts facts;
    OggPages pages(bytes, 0);
    std::int64_t page_number = 0;
    for (OggPages::Event event; (event = pages.next()) != OggPages::Event::end; ++page_number) {
        if (event == OggPages::Event::rejected) {
            facts.corrupt = "Ogg page " + std::to_string(page_number) + " (at byte " + std::to_string(pages.offset()) +
                            ") fails its CRC check";
            return facts;
        }
        const ogg_page& page = pages.page();
        const long serial = ogg_page_serialno(&page), sequence = ogg_page_pageno(&page);
        auto stream = std::find_if(streams.begin(), streams.end(), [&](const Stream& s) { return s.serial == serial; });
        if (stream == streams.end()) {
            streams.push_back({serial, sequence + 1, false});
            stream = streams.end() - 1;
        } else if (sequence != stream->next_sequence) {
            facts.corrupt = "Ogg pages are missing before byte " + std::to_string(pages.offset()) +
                            " (page sequence jumps from " + std::to_string(stream->next_sequence - 1) + " to " +
                            std::to_string(sequence) + ")";
            return facts;
        } else {
            stream->next_sequence = sequence + 1;
        }
        stream->ended = stream->ended || ogg_page_eos(&page);
    }
    facts.length.cut = pages.cut_page();
    if (facts.length.cut->empty() &&
        std::any_of(streams.begin(), streams.end(), [](const Stream& s) { return !s.ended; }))
        facts.length.cut = "the Ogg stream ends without its end-of-stream page";
    return facts;
}

}  // namespace tonearm::detail
