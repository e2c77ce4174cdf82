// Which build of the decoder module this engine can run. The threaded module's memory is a
// shared WebAssembly.Memory, which needs SharedArrayBuffer, Atomics and cross-origin isolation
// (to pass its buffer to the page) all at once. One flag is not enough: WebKitGTK 2.50 reports
// crossOriginIsolated === true and has no SharedArrayBuffer, and loading the threaded module
// there fails with "Can't find variable: SharedArrayBuffer". Anything missing means the
// unthreaded module (transferred buffers), which every engine with workers and wasm runs.

// What is missing for the threaded module, or [] when nothing is.
export function threadsMissing(scope = globalThis) {
  const missing = [];
  if (typeof scope.Worker !== 'function') missing.push('Worker');
  if (typeof scope.SharedArrayBuffer !== 'function') missing.push('SharedArrayBuffer');
  if (typeof scope.Atomics !== 'object') missing.push('Atomics');
  if (!scope.crossOriginIsolated) missing.push('cross-origin isolation');
  if (!sharedMemory(scope)) missing.push('shared WebAssembly.Memory');
  return missing;
}

function sharedMemory(scope) {
  try {
    const memory = new scope.WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return typeof scope.SharedArrayBuffer === 'function' && memory.buffer instanceof scope.SharedArrayBuffer;
  } catch {
    return false;
  }
}

// The module to load: `requested` (?flavour=) when the engine can run it, else the best it can.
// Returns { flavour, reason }: reason says why the threaded module is not used ('' when it is).
export function chooseFlavour(requested, scope = globalThis) {
  const missing = threadsMissing(scope);
  if (requested === 'nothreads') return { flavour: 'nothreads', reason: 'requested' };
  if (missing.length) return { flavour: 'nothreads', reason: `no ${missing.join(', ')}` };
  return { flavour: 'threads', reason: '' };
}
