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
