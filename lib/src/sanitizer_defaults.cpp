// Compiled into every program of a sanitizer build (see lib/CMakeLists.txt), and only there.
//
// LeakSanitizer suppressions for leaks in Debian's libraries that tonearm cannot fix. Built
// in rather than read from a file so they apply to every process the tests start, whoever
// runs it (the hostile-input tests run the CLI as an unprivileged user).
extern "C" const char* __lsan_default_suppressions()
{
    return
        // RtAudio 5.2's PulseAudio device probe leaves small libpulse allocations behind
        // (88-byte objects from its server-info callback).
        "leak:librtaudio.so\n"
        "leak:libpulse.so\n"
        // libsndfile 1.2.0 leaks a vorbis_info on every failed Ogg Vorbis open: its
        // vorbis_read_header error path does not clear it.
        "leak:vorbis_info_init\n";
}

// Which suppressions matched is not news worth a stderr block at every exit.
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }

// GCC 12's sanitizer runtime takes some dynamic TLS blocks (those of libraries loaded with
// dlopen: FFmpeg's part and the libraries it brings, dozens with TLS) for glibc < 2.25's
// layout when the block happens to start 16 bytes into a page, and records a bogus range that
// LeakSanitizer's tracer reads at exit and dies on ("Tracer caught signal 11", once in a few
// hundred processes; fixed upstream after GCC 13 / LLVM 16). Not intercepting __tls_get_addr
// leaves those blocks to be found as what they are: heap blocks glibc points at. ThreadSanitizer
// shares the interceptor (it would reset the bogus range's shadow).
extern "C" const char* __asan_default_options() { return "intercept_tls_get_addr=0"; }
extern "C" const char* __tsan_default_options() { return "intercept_tls_get_addr=0"; }
