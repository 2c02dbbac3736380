// VarInt encoding shared by the hand-built client and the tap.

export function encodeVarint(n) {
  const out = [];
  let v = n >>> 0;
  do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; out.push(b); } while (v);
  return Buffer.from(out);
}

// Reads a VarInt at `off`: {value, size}, null when incomplete, {error} when
// longer than 5 bytes.
export function readVarint(buf, off) {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (off + i >= buf.length) return null;
    const b = buf[off + i];
    value |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) === 0) return { value, size: i + 1 };
  }
  return { error: 'varint too long' };
}
