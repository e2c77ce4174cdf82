#!/usr/bin/env node
// A tiny static server for the web shell: 127.0.0.1 only, correct MIME types, and by default
// the cross-origin isolation headers (COOP same-origin + COEP require-corp) that give the page
// SharedArrayBuffer and so the threaded decoder. No dependencies.
//
//   node web-shell/serve.mjs [--port N] [--no-isolation] [--no-ranges] [--root DIR] [--mount /PREFIX=DIR]...
// Files are served whole or, for a Range request, in part (--no-ranges: always whole, like a
// server without Range support).
//
// Prints the page's URL as the only line on stdout once listening; logs go to stderr.
// Defaults: --root build/web/dist, --mount /assets=assets (relative to the repository).
import { createServer } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg; codecs=opus',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.aif': 'audio/aiff',
  '.aiff': 'audio/aiff',
};

function usage(message) {
  if (message) console.error(`serve.mjs: ${message}`);
  console.error('usage: serve.mjs [--port N] [--no-isolation] [--no-ranges] [--root DIR] [--mount /PREFIX=DIR]... [--quiet]');
  process.exit(2);
}

export function parseArgs(argv) {
  const options = { port: 0, isolation: true, root: path.join(repo, 'build/web/dist'), mounts: [], quiet: false };
  let assets = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${arg} needs a value`));
    if (arg === '--port') {
      options.port = Number(value());
      if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) usage('bad --port');
    } else if (arg === '--no-isolation') options.isolation = false;
    else if (arg === '--root') options.root = path.resolve(value());
    else if (arg === '--mount') {
      const [prefix, dir] = value().split(/=(.*)/s);
      if (!prefix.startsWith('/') || !dir) usage('--mount wants /PREFIX=DIR');
      options.mounts.push({ prefix: prefix.replace(/\/+$/, ''), dir: path.resolve(dir) });
    } else if (arg === '--no-assets') assets = false;
    else if (arg === '--quiet') options.quiet = true;
    else if (arg === '-h' || arg === '--help') usage();
    else usage(`unknown argument ${arg}`);
  }
  if (assets) options.mounts.push({ prefix: '/assets', dir: path.join(repo, 'assets') });
  return options;
}

// Maps a URL path to a file under root or a mount, refusing anything that escapes them.
function resolvePath(options, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  let base = options.root;
  let rest = decoded;
  for (const { prefix, dir } of options.mounts) {
    if (decoded === prefix || decoded.startsWith(prefix + '/')) {
      base = dir;
      rest = decoded.slice(prefix.length);
      break;
    }
  }
  const file = path.resolve(base, '.' + path.posix.normalize('/' + rest));
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

// The headers every response carries: no stale copies, and with isolation, COOP + COEP.
export function responseHeaders(options) {
  const headers = {
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  if (options.isolation) {
    headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
  }
  return headers;
}

// One byte range of a Range header ("bytes=A-B", "bytes=A-", "bytes=-N") within a file of
// `size` bytes: { start, end }, 'unsatisfiable', or null to send the whole file (no header,
// several ranges, which nothing here asks for, or an empty file, which has no range to give).
function parseRange(header, size) {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header || '');
  if (!match || (match[1] === '' && match[2] === '') || size === 0) return null;
  let start;
  let end;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start >= size || start > end ? 'unsatisfiable' : { start, end };
}

// The request handler: static files from root and the mounts (the tests wrap it in one of theirs).
export function createHandler(options) {
  const log = options.quiet ? () => {} : (...args) => console.error('serve:', ...args);
  const headers = responseHeaders(options);
  return async (req, res) => {
    const send = (status, text) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : text + '\n');
      log(req.method, req.url, status);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    const url = new URL(req.url, 'http://127.0.0.1');
    let file = resolvePath(options, url.pathname);
    if (!file) return send(403, 'forbidden');
    try {
      let stat = await fs.stat(file);
      if (stat.isDirectory()) {
        file = path.join(file, 'index.html');
        stat = await fs.stat(file);
      }
      if (!stat.isFile()) return send(404, 'not found');
      const type = MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
      const range = options.ranges === false ? null : parseRange(req.headers.range, stat.size);
      if (range === 'unsatisfiable') {
        res.writeHead(416, { ...headers, 'Content-Range': `bytes */${stat.size}` });
        return res.end();
      }
      // The page's decoder reads a long file in slices (Range requests), never whole.
      const { start, end } = range || { start: 0, end: stat.size - 1 };
      res.writeHead(range ? 206 : 200, {
        ...headers,
        'Content-Type': type,
        'Content-Length': end - start + 1,
        ...(options.ranges === false ? {} : { 'Accept-Ranges': 'bytes' }),
        ...(range ? { 'Content-Range': `bytes ${start}-${end}/${stat.size}` } : {}),
      });
      if (req.method === 'HEAD' || end < start) return res.end();
      createReadStream(file, { start, end }).on('error', () => res.destroy()).pipe(res);
      log(req.method, req.url, range ? 206 : 200);
    } catch {
      send(404, 'not found');
    }
  };
}

export function startServer(options, handler = createHandler(options)) {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2));
  try {
    await fs.access(path.join(options.root, 'index.html'));
  } catch {
    console.error(`serve.mjs: ${options.root}/index.html does not exist (build it: scripts/web build)`);
    process.exit(1);
  }
  const { url } = await startServer(options).catch((e) => {
    console.error(`serve.mjs: cannot listen: ${e.message}`);
    process.exit(1);
  });
  console.error(`serve: ${options.root} on ${url} (${options.isolation ? 'cross-origin isolated: threaded decoder' : 'not isolated: unthreaded decoder'}); Ctrl-C stops`);
  console.log(url);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
}
