/**
 * A CFF subsetter for embedding CID-keyed OpenType/CFF faces (Noto CJK) in a PDF.
 *
 * fontkit's subsetter keeps every local and global subroutine of the face (unused ones as 1-byte
 * stubs, ~50,000 INDEX entries for Noto CJK) and every Private dict's Subrs. This one inlines the
 * subroutines into each used glyph's charstring (desubroutinizes, cached per glyph for the life of
 * the face), and writes a CID-keyed CFF with only the glyphs used, an empty global subroutine
 * INDEX, and only the font dicts (FDs) of those glyphs with Private dicts that have no Subrs.
 *
 * CIDs are the face's glyph ids (the charset maps each subset glyph back to its original id), so a
 * glyph's code in a PDF content stream does not depend on which other glyphs a document uses.
 */

/** An INDEX: the absolute start of each element's data, and its end (count + 1 offsets). */
interface Index {
  count: number;
  offsets: Uint32Array;
  /** Position just after the INDEX. */
  end: number;
}

function readIndex(buf: Uint8Array, pos: number): Index {
  const count = (buf[pos]! << 8) | buf[pos + 1]!;
  if (count === 0) return { count, offsets: new Uint32Array(1).fill(pos + 2), end: pos + 2 };
  const offSize = buf[pos + 2]!;
  const offsets = new Uint32Array(count + 1);
  const base = pos + 3 + (count + 1) * offSize - 1;
  let p = pos + 3;
  for (let i = 0; i <= count; i++) {
    let v = 0;
    for (let k = 0; k < offSize; k++) v = v * 256 + buf[p++]!;
    offsets[i] = base + v;
  }
  return { count, offsets, end: offsets[count]! };
}

/** One DICT entry: operator (escaped ones as 1200 + second byte), its operand values and raw bytes. */
interface DictEntry {
  op: number;
  operands: number[];
  raw: Uint8Array;
}

function readDict(buf: Uint8Array, start: number, end: number): DictEntry[] {
  const out: DictEntry[] = [];
  let operands: number[] = [];
  let entryStart = start;
  let p = start;
  while (p < end) {
    const b0 = buf[p]!;
    if (b0 <= 21) {
      let op = b0;
      p++;
      if (b0 === 12) op = 1200 + buf[p++]!;
      out.push({ op, operands, raw: buf.subarray(entryStart, p) });
      operands = [];
      entryStart = p;
    } else if (b0 === 28) {
      operands.push(((buf[p + 1]! << 24) | (buf[p + 2]! << 16)) >> 16);
      p += 3;
    } else if (b0 === 29) {
      operands.push((buf[p + 1]! << 24) | (buf[p + 2]! << 16) | (buf[p + 3]! << 8) | buf[p + 4]!);
      p += 5;
    } else if (b0 === 30) {
      // Real number: nibbles up to 0xf. Only its bytes matter here (copied raw).
      let s = '';
      const nib = '0123456789.EE?-';
      for (p++; p < end; p++) {
        const b = buf[p]!;
        const hi = b >> 4;
        const lo = b & 15;
        if (hi === 15) break;
        s += hi === 12 ? 'E-' : nib[hi];
        if (lo === 15) break;
        s += lo === 12 ? 'E-' : nib[lo];
      }
      p++;
      operands.push(Number(s));
    } else if (b0 >= 32 && b0 <= 246) {
      operands.push(b0 - 139);
      p++;
    } else if (b0 >= 247 && b0 <= 250) {
      operands.push((b0 - 247) * 256 + buf[p + 1]! + 108);
      p += 2;
    } else if (b0 >= 251 && b0 <= 254) {
      operands.push(-(b0 - 251) * 256 - buf[p + 1]! - 108);
      p += 2;
    } else {
      throw new CffError(`bad DICT byte ${b0}`);
    }
  }
  return out;
}

export class CffError extends Error {
  constructor(message: string) {
    super(`CFF: ${message}`);
    this.name = 'CffError';
  }
}

const OP = {
  charset: 15,
  charStrings: 17,
  private: 18,
  subrs: 19,
  fontBBox: 5,
  fontMatrix: 1207,
  ros: 1230,
  cidCount: 1234,
  fdArray: 1236,
  fdSelect: 1237,
  fontName: 1238,
} as const;

function bias(count: number): number {
  return count < 1240 ? 107 : count < 33900 ? 1131 : 32768;
}

interface FontDict {
  /** The FD's own entries except FontName and Private. */
  entries: DictEntry[];
  /** The Private dict's entries except Subrs. */
  priv: DictEntry[];
  subrs: Index | null;
}

/** A growable byte buffer. */
class Bytes {
  buf: Uint8Array;
  len = 0;
  constructor(size = 256) {
    this.buf = new Uint8Array(size);
  }
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  push(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  append(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.len);
    this.len += src.length;
  }
  /** A 5-byte DICT integer (fixed size, for offsets written before they are known). */
  int32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    b[this.len++] = 29;
    b[this.len++] = (v >>> 24) & 255;
    b[this.len++] = (v >>> 16) & 255;
    b[this.len++] = (v >>> 8) & 255;
    b[this.len++] = v & 255;
  }
  /** A DICT integer in its shortest form. */
  int(v: number): void {
    if (v >= -107 && v <= 107) this.push(v + 139);
    else if (v >= 108 && v <= 1131) {
      v -= 108;
      this.push((v >> 8) + 247);
      this.push(v & 255);
    } else if (v >= -1131 && v <= -108) {
      v = -v - 108;
      this.push((v >> 8) + 251);
      this.push(v & 255);
    } else if (v >= -32768 && v <= 32767) {
      this.push(28);
      this.push((v >> 8) & 255);
      this.push(v & 255);
    } else this.int32(v);
  }
  op(op: number): void {
    if (op >= 1200) {
      this.push(12);
      this.push(op - 1200);
    } else this.push(op);
  }
  card16(v: number): void {
    this.push((v >> 8) & 255);
    this.push(v & 255);
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Writes an INDEX of the given elements. */
function writeIndex(out: Bytes, items: Uint8Array[]): void {
  out.card16(items.length);
  if (items.length === 0) return;
  let total = 1;
  for (const it of items) total += it.length;
  const offSize = total < 1 << 8 ? 1 : total < 1 << 16 ? 2 : total < 1 << 24 ? 3 : 4;
  out.push(offSize);
  out.ensure((items.length + 1) * offSize + total);
  let off = 1;
  const writeOff = (v: number): void => {
    for (let k = offSize - 1; k >= 0; k--) out.push(Math.floor(v / 256 ** k) & 255);
  };
  writeOff(off);
  for (const it of items) {
    off += it.length;
    writeOff(off);
  }
  for (const it of items) out.append(it);
}

function indexSize(items: Uint8Array[]): number {
  if (items.length === 0) return 2;
  let total = 1;
  for (const it of items) total += it.length;
  const offSize = total < 1 << 8 ? 1 : total < 1 << 16 ? 2 : total < 1 << 24 ? 3 : 4;
  return 3 + (items.length + 1) * offSize + total - 1;
}

/** The parsed CFF table of one face, with its desubroutinized charstrings cached per glyph. */
export class CffFont {
  private readonly charStrings: Index;
  private readonly gsubrs: Index;
  private readonly fds: FontDict[];
  /** FD index per glyph. */
  private readonly fdOf: Uint8Array;
  private readonly bbox: DictEntry | undefined;
  private readonly matrix: DictEntry | undefined;
  private readonly cache = new Map<number, Uint8Array>();
  /** Scratch buffer for desubroutinizing one glyph. */
  private readonly scratch = new Bytes(1 << 14);
  readonly numGlyphs: number;

  /** `buf` is the face's whole 'CFF ' table. */
  constructor(private readonly buf: Uint8Array) {
    if (buf[0] !== 1) throw new CffError(`version ${buf[0]} is not supported (only CFF 1)`);
    const hdrSize = buf[2]!;
    const names = readIndex(buf, hdrSize);
    const tops = readIndex(buf, names.end);
    const strings = readIndex(buf, tops.end);
    this.gsubrs = readIndex(buf, strings.end);
    if (tops.count !== 1) throw new CffError('only a single font per CFF table is supported');
    const top = readDict(buf, tops.offsets[0]!, tops.offsets[1]!);
    const get = (op: number): DictEntry | undefined => top.find((e) => e.op === op);
    const cs = get(OP.charStrings);
    if (!cs) throw new CffError('no CharStrings');
    this.charStrings = readIndex(buf, cs.operands[0]!);
    this.numGlyphs = this.charStrings.count;
    this.bbox = get(OP.fontBBox);
    this.matrix = get(OP.fontMatrix);
    this.fdOf = new Uint8Array(this.numGlyphs);
    const fdArray = get(OP.fdArray);
    const fdSelect = get(OP.fdSelect);
    const parseFd = (entries: DictEntry[]): FontDict => {
      const p = entries.find((e) => e.op === OP.private);
      let priv: DictEntry[] = [];
      let subrs: Index | null = null;
      if (p && p.operands[0]! > 0) {
        const start = p.operands[1]!;
        const all = readDict(buf, start, start + p.operands[0]!);
        const s = all.find((e) => e.op === OP.subrs);
        if (s) subrs = readIndex(buf, start + s.operands[0]!);
        priv = all.filter((e) => e.op !== OP.subrs);
      }
      return { entries: entries.filter((e) => e.op !== OP.private && e.op !== OP.fontName), priv, subrs };
    };
    if (get(OP.ros) && fdArray && fdSelect) {
      const fdIndex = readIndex(buf, fdArray.operands[0]!);
      this.fds = [];
      for (let i = 0; i < fdIndex.count; i++)
        this.fds.push(parseFd(readDict(buf, fdIndex.offsets[i]!, fdIndex.offsets[i + 1]!)));
      let p = fdSelect.operands[0]!;
      const format = buf[p++];
      if (format === 0) {
        for (let g = 0; g < this.numGlyphs; g++) this.fdOf[g] = buf[p++]!;
      } else if (format === 3) {
        const nRanges = (buf[p]! << 8) | buf[p + 1]!;
        p += 2;
        for (let r = 0; r < nRanges; r++) {
          const first = (buf[p]! << 8) | buf[p + 1]!;
          const fd = buf[p + 2]!;
          const next = (buf[p + 3]! << 8) | buf[p + 4]!;
          this.fdOf.fill(fd, first, Math.min(next, this.numGlyphs));
          p += 3;
        }
      } else throw new CffError(`FDSelect format ${format} is not supported`);
    } else {
      // A name-keyed font: its one Private dict becomes the only FD.
      this.fds = [parseFd(top)];
      this.fds[0]!.entries = [];
    }
  }

  /** The glyph's charstring with every subroutine call inlined (cached). */
  charstring(gid: number): Uint8Array {
    let v = this.cache.get(gid);
    if (!v) {
      v = this.desubroutinize(gid);
      this.cache.set(gid, v);
    }
    return v;
  }

  fdIndex(gid: number): number {
    return this.fdOf[gid] ?? 0;
  }

  private desubroutinize(gid: number): Uint8Array {
    if (gid < 0 || gid >= this.numGlyphs) throw new CffError(`glyph ${gid} out of range`);
    const buf = this.buf;
    const out = this.scratch;
    out.len = 0;
    const local = this.fds[this.fdOf[gid]!]?.subrs ?? null;
    const gsubrs = this.gsubrs;
    const localBias = local ? bias(local.count) : 0;
    const globalBias = bias(gsubrs.count);
    let stack = 0;
    let stems = 0;
    /** Output position and value of the last number (the operand of a following callsubr). */
    let lastAt = -1;
    let lastValue = 0;
    // Returns true at endchar.
    const run = (start: number, end: number, depth: number): boolean => {
      if (depth > 10) throw new CffError(`glyph ${gid}: subroutines nested too deep`);
      let p = start;
      while (p < end) {
        const b0 = buf[p]!;
        if (b0 >= 32 || b0 === 28) {
          let n: number;
          if (b0 === 28) {
            n = 3;
            lastValue = ((buf[p + 1]! << 24) | (buf[p + 2]! << 16)) >> 16;
          } else if (b0 <= 246) {
            n = 1;
            lastValue = b0 - 139;
          } else if (b0 <= 250) {
            n = 2;
            lastValue = (b0 - 247) * 256 + buf[p + 1]! + 108;
          } else if (b0 <= 254) {
            n = 2;
            lastValue = -(b0 - 251) * 256 - buf[p + 1]! - 108;
          } else {
            n = 5;
            lastValue = ((buf[p + 1]! << 24) | (buf[p + 2]! << 16) | (buf[p + 3]! << 8) | buf[p + 4]!) / 65536;
          }
          lastAt = out.len;
          out.append(buf.subarray(p, p + n));
          stack++;
          p += n;
          continue;
        }
        switch (b0) {
          case 10: // callsubr
          case 29: {
            // callgsubr
            if (lastAt < 0) throw new CffError(`glyph ${gid}: subroutine call without an index`);
            const subrs = b0 === 10 ? local : gsubrs;
            if (!subrs) throw new CffError(`glyph ${gid}: callsubr without local subroutines`);
            const i = lastValue + (b0 === 10 ? localBias : globalBias);
            if (!Number.isInteger(i) || i < 0 || i >= subrs.count)
              throw new CffError(`glyph ${gid}: subroutine ${i} out of range`);
            out.len = lastAt;
            lastAt = -1;
            stack--;
            p++;
            if (run(subrs.offsets[i]!, subrs.offsets[i + 1]!, depth + 1)) return true;
            continue;
          }
          case 11: // return
            return false;
          case 14: // endchar
            out.push(14);
            return true;
          case 1: // hstem
          case 3: // vstem
          case 18: // hstemhm
          case 23: // vstemhm
            stems += stack >> 1;
            stack = 0;
            lastAt = -1;
            out.push(b0);
            p++;
            continue;
          case 19: // hintmask
          case 20: {
            // cntrmask: implicit vstems on the stack, then the mask bytes
            stems += stack >> 1;
            stack = 0;
            lastAt = -1;
            const n = 1 + ((stems + 7) >> 3);
            out.append(buf.subarray(p, p + n));
            p += n;
            continue;
          }
          case 12:
            out.append(buf.subarray(p, p + 2));
            stack = 0;
            lastAt = -1;
            p += 2;
            continue;
          default:
            out.push(b0);
            stack = 0;
            lastAt = -1;
            p++;
        }
      }
      return false;
    };
    const cs = this.charStrings;
    const ended = run(cs.offsets[gid]!, cs.offsets[gid + 1]!, 0);
    if (!ended) out.push(14);
    return out.bytes();
  }

  /**
   * A CID-keyed CFF with the given glyphs (original ids; .notdef is always included), each with its
   * original id as CID. `name` goes in the Name INDEX.
   */
  subset(glyphIds: Iterable<number>, name: string): Uint8Array {
    const gids = [...new Set([0, ...glyphIds])].sort((a, b) => a - b);
    const charstrings = gids.map((g) => this.charstring(g));
    // Font dicts used, in order of first use.
    const fdMap = new Map<number, number>();
    const fdSel: number[] = [];
    for (const g of gids) {
      const fd = this.fdOf[g]!;
      let k = fdMap.get(fd);
      if (k === undefined) {
        k = fdMap.size;
        fdMap.set(fd, k);
      }
      fdSel.push(k);
    }
    const enc = new TextEncoder();
    const strings = [enc.encode('Adobe'), enc.encode('Identity')];

    // Private dicts (no Subrs) and FD dicts with fixed-size Private operands.
    const usedFds = [...fdMap.keys()].map((i) => this.fds[i]!);
    const privs = usedFds.map((fd) => {
      const b = new Bytes();
      for (const e of fd.priv) b.append(e.raw);
      return b.bytes();
    });
    const fdDict = (fd: FontDict, privSize: number, privOffset: number): Uint8Array => {
      const b = new Bytes();
      for (const e of fd.entries) b.append(e.raw);
      b.int32(privSize);
      b.int32(privOffset);
      b.op(OP.private);
      return b.bytes();
    };

    // charset format 0 (one CID per glyph after .notdef) and FDSelect format 3.
    const charset = new Bytes();
    charset.push(0);
    for (let i = 1; i < gids.length; i++) charset.card16(gids[i]!);
    const fdSelect = new Bytes();
    fdSelect.push(3);
    const ranges: Array<[number, number]> = [];
    fdSel.forEach((fd, i) => {
      if (ranges.length === 0 || ranges[ranges.length - 1]![1] !== fd) ranges.push([i, fd]);
    });
    fdSelect.card16(ranges.length);
    for (const [first, fd] of ranges) {
      fdSelect.card16(first);
      fdSelect.push(fd);
    }
    fdSelect.card16(gids.length);

    const topDict = (
      charsetOff: number,
      fdSelectOff: number,
      charStringsOff: number,
      fdArrayOff: number,
    ): Uint8Array => {
      const b = new Bytes();
      b.int(391);
      b.int(392);
      b.int(0);
      b.op(OP.ros);
      if (this.matrix) b.append(this.matrix.raw);
      if (this.bbox) b.append(this.bbox.raw);
      b.int32(this.numGlyphs);
      b.op(OP.cidCount);
      b.int32(charsetOff);
      b.op(OP.charset);
      b.int32(fdSelectOff);
      b.op(OP.fdSelect);
      b.int32(charStringsOff);
      b.op(OP.charStrings);
      b.int32(fdArrayOff);
      b.op(OP.fdArray);
      return b.bytes();
    };

    const nameBytes = enc.encode(name);
    const headerSize = 4;
    const topSize = indexSize([topDict(0, 0, 0, 0)]);
    let pos = headerSize + indexSize([nameBytes]) + topSize + indexSize(strings) + 2; // + empty gsubrs
    const charsetOff = pos;
    pos += charset.len;
    const fdSelectOff = pos;
    pos += fdSelect.len;
    const charStringsOff = pos;
    pos += indexSize(charstrings);
    const fdArrayOff = pos;
    const fdDictsSized = usedFds.map((fd, i) => fdDict(fd, privs[i]!.length, 0));
    pos += indexSize(fdDictsSized);
    const fdDicts = usedFds.map((fd, i) => {
      const d = fdDict(fd, privs[i]!.length, pos);
      pos += privs[i]!.length;
      return d;
    });

    const out = new Bytes(pos);
    out.push(1);
    out.push(0);
    out.push(headerSize);
    out.push(4);
    writeIndex(out, [nameBytes]);
    writeIndex(out, [topDict(charsetOff, fdSelectOff, charStringsOff, fdArrayOff)]);
    writeIndex(out, strings);
    writeIndex(out, []);
    out.append(charset.bytes());
    out.append(fdSelect.bytes());
    writeIndex(out, charstrings);
    writeIndex(out, fdDicts);
    for (const p of privs) out.append(p);
    if (out.len !== pos) throw new CffError(`subset size mismatch (${out.len} vs ${pos})`);
    return out.bytes();
  }
}

/** What a CFF table holds (for tests and diagnostics): counts, and the CID of each glyph. */
export interface CffSummary {
  glyphs: number;
  globalSubrs: number;
  fontDicts: number;
  /** Local subroutines over all Private dicts. */
  localSubrs: number;
  /** CID of each glyph (from the charset); empty for a name-keyed font. */
  cids: number[];
  /** Operators of all charstrings that call subroutines (callsubr, callgsubr). */
  subrCalls: number;
}

export function describeCff(buf: Uint8Array): CffSummary {
  const names = readIndex(buf, buf[2]!);
  const tops = readIndex(buf, names.end);
  const strings = readIndex(buf, tops.end);
  const gsubrs = readIndex(buf, strings.end);
  const top = readDict(buf, tops.offsets[0]!, tops.offsets[1]!);
  const get = (op: number): DictEntry | undefined => top.find((e) => e.op === op);
  const charStrings = readIndex(buf, get(OP.charStrings)!.operands[0]!);
  let fontDicts = 0;
  let localSubrs = 0;
  const fdArray = get(OP.fdArray);
  if (fdArray) {
    const fds = readIndex(buf, fdArray.operands[0]!);
    fontDicts = fds.count;
    for (let i = 0; i < fds.count; i++) {
      const p = readDict(buf, fds.offsets[i]!, fds.offsets[i + 1]!).find((e) => e.op === OP.private);
      if (!p) continue;
      const s = readDict(buf, p.operands[1]!, p.operands[1]! + p.operands[0]!).find((e) => e.op === OP.subrs);
      if (s) localSubrs += readIndex(buf, p.operands[1]! + s.operands[0]!).count;
    }
  }
  const cids: number[] = [];
  const charset = get(OP.charset);
  if (get(OP.ros) && charset) {
    let p = charset.operands[0]!;
    const format = buf[p++];
    cids.push(0);
    while (cids.length < charStrings.count) {
      if (format === 0) {
        cids.push((buf[p]! << 8) | buf[p + 1]!);
        p += 2;
      } else {
        const first = (buf[p]! << 8) | buf[p + 1]!;
        const nLeft = format === 1 ? buf[p + 2]! : (buf[p + 2]! << 8) | buf[p + 3]!;
        p += format === 1 ? 3 : 4;
        for (let k = 0; k <= nLeft; k++) cids.push(first + k);
      }
    }
  }
  // Count subroutine calls by walking each charstring's tokens (hint masks skipped by stem count).
  let subrCalls = 0;
  for (let g = 0; g < charStrings.count; g++) {
    let p = charStrings.offsets[g]!;
    const end = charStrings.offsets[g + 1]!;
    let stack = 0;
    let stems = 0;
    while (p < end) {
      const b0 = buf[p]!;
      if (b0 === 28) [p, stack] = [p + 3, stack + 1];
      else if (b0 >= 32 && b0 <= 246) [p, stack] = [p + 1, stack + 1];
      else if (b0 >= 247 && b0 <= 254) [p, stack] = [p + 2, stack + 1];
      else if (b0 === 255) [p, stack] = [p + 5, stack + 1];
      else {
        if (b0 === 10 || b0 === 29) subrCalls++;
        if (b0 === 1 || b0 === 3 || b0 === 18 || b0 === 23 || b0 === 19 || b0 === 20) stems += stack >> 1;
        p += b0 === 19 || b0 === 20 ? 1 + ((stems + 7) >> 3) : b0 === 12 ? 2 : 1;
        stack = 0;
        if (b0 === 14) break;
      }
    }
  }
  return { glyphs: charStrings.count, globalSubrs: gsubrs.count, fontDicts, localSubrs, cids, subrCalls };
}
