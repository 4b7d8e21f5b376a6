// Ids and clocks of the sync protocol (sync/uuid7.py, sync/server_ids.py, sync/hlc.py), and
// JSON that keeps 64-bit integers exact: an HLC stamp needs 63 bits, a JS number holds 53.

const LOGICAL_BITS = 16n;
const MAX_LOGICAL = (1n << LOGICAL_BITS) - 1n;
const SERVER_PREFIX = 0x706f73626f6en; // "posbon"
const SERVER_VERSION = 8n;
const SERVER_VARIANT = 2n;
const NUMBER_BITS = 62n;
export const SERVER_KIND = { incident: 1n, crew: 2n };

function hex(bytes) {
  const text = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/** A UUIDv7: time-ordered, so the server's indexes stay compact. */
export function uuid7(wallMs = Date.now()) {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let time = BigInt(Math.max(0, Math.floor(wallMs)));
  for (let index = 5; index >= 0; index -= 1) {
    bytes[index] = Number(time & 0xffn);
    time >>= 8n;
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return hex(bytes);
}

/** The UUID that names server row `number` of `kind` (incident, crew) in sync entities. */
export function serverUuid(kind, number) {
  const high = (SERVER_PREFIX << 16n) | (SERVER_VERSION << 12n) | SERVER_KIND[kind];
  const low = (SERVER_VARIANT << NUMBER_BITS) | BigInt(number);
  const value = (high << 64n) | low;
  const digits = value.toString(16).padStart(32, "0");
  return hex(digits.match(/../g).map((pair) => parseInt(pair, 16)));
}

function pack(physicalMs, logical) {
  if (logical > MAX_LOGICAL) return (physicalMs + 1n) << LOGICAL_BITS;
  return (physicalMs << LOGICAL_BITS) | logical;
}

/** The stamp for a local event, strictly after `last`. */
export function tick(last, wallMs) {
  const wall = BigInt(Math.floor(wallMs));
  const lastMs = last >> LOGICAL_BITS;
  if (wall > lastMs) return wall << LOGICAL_BITS;
  return pack(lastMs, (last & MAX_LOGICAL) + 1n);
}

/** The stamp after seeing `remote` (the server's clock): after both. */
export function receive(last, remote, wallMs) {
  const wall = BigInt(Math.floor(wallMs));
  const lastMs = last >> LOGICAL_BITS;
  const remoteMs = remote >> LOGICAL_BITS;
  let top = wall;
  if (lastMs > top) top = lastMs;
  if (remoteMs > top) top = remoteMs;
  let logical = -1n;
  if (top === lastMs && (last & MAX_LOGICAL) > logical) logical = last & MAX_LOGICAL;
  if (top === remoteMs && (remote & MAX_LOGICAL) > logical) logical = remote & MAX_LOGICAL;
  return pack(top, logical + 1n);
}

/** JSON.parse that turns integers too large for a number into BigInt. */
export function parseJson(text) {
  return JSON.parse(text, (key, value, context) => {
    if (typeof value === "number" && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)) {
      return BigInt(context.source);
    }
    return value;
  });
}

/** JSON.stringify that writes BigInt as a plain JSON integer. */
export function toJson(value) {
  return JSON.stringify(value, (key, item) => (typeof item === "bigint" ? JSON.rawJSON(item.toString()) : item));
}

export function asBigInt(value) {
  return typeof value === "bigint" ? value : BigInt(value ?? 0);
}
