// --pre-js for the core tests under node: the real /tmp (where TempDir puts its fixtures) as a
// NODEFS mount. Not NODERAWFS: in Emscripten 3.1.6 its dup() reopens the file with the original
// flags, so dup() of a mkstemp() descriptor fails with EEXIST (AudioWriter dups AtomicFile's).
Module['preRun'] = Module['preRun'] || [];
Module['preRun'].push(function () {
  FS.mkdirTree('/tmp');
  FS.mount(NODEFS, { root: require('os').tmpdir() }, '/tmp');
});
