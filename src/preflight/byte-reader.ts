// Reads a byte stream front to back without keeping what it has passed: model files are read while the
// archive streams by, so a 2 GiB ONNX file costs the few kilobytes of its graph inputs, not 2 GiB.

export class TruncatedError extends Error {
  constructor(what: string) {
    super(`the file ends in the middle of ${what}`);
  }
}

export class ByteReader {
  private readonly chunks: AsyncIterator<Uint8Array>;
  private buffer: Uint8Array = new Uint8Array(0);
  private offset = 0;
  private ended = false;
  /** Bytes consumed from the start of the stream. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.chunks = source[Symbol.asyncIterator]();
  }

  private get available(): number {
    return this.buffer.length - this.offset;
  }

  /** Makes at least `count` bytes available; false at the end of the stream. */
  private async fill(count: number): Promise<boolean> {
    while (this.available < count) {
      if (this.ended) return false;
      const next = await this.chunks.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      if (this.available === 0) {
        // Nothing left over: take the chunk as it is (no copy).
        this.buffer = next.value;
        this.offset = 0;
        continue;
      }
      const rest = this.buffer.subarray(this.offset);
      const joined = new Uint8Array(rest.length + next.value.length);
      joined.set(rest);
      joined.set(next.value, rest.length);
      this.buffer = joined;
      this.offset = 0;
    }
    return true;
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** Up to `count` bytes (fewer at the end of the stream). */
  async readUpTo(count: number): Promise<Uint8Array> {
    await this.fill(count);
    const length = Math.min(count, this.available);
    const bytes = this.buffer.slice(this.offset, this.offset + length);
    this.offset += length;
    this.position += length;
    return bytes;
  }

  async read(count: number, what: string): Promise<Uint8Array> {
    const bytes = await this.readUpTo(count);
    if (bytes.length < count) throw new TruncatedError(what);
    return bytes;
  }

  /** Discards `count` bytes, holding at most one chunk at a time. */
  async skip(count: number, what: string): Promise<void> {
    let left = count;
    while (left > 0) {
      if (this.available === 0 && !(await this.fill(1))) throw new TruncatedError(what);
      const step = Math.min(left, this.available);
      this.offset += step;
      this.position += step;
      left -= step;
      if (this.available === 0) {
        this.buffer = new Uint8Array(0);
        this.offset = 0;
      }
    }
  }

  /** A protobuf base-128 varint, as a number (exact up to 2^53). */
  async readVarint(what: string): Promise<number> {
    let result = 0;
    let scale = 1;
    for (let index = 0; index < 10; index++) {
      if (!(await this.fill(1))) throw new TruncatedError(what);
      const byte = this.buffer[this.offset] as number;
      this.offset += 1;
      this.position += 1;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new Error(`a varint in ${what} is longer than 10 bytes`);
  }

  /** Drains the rest of the stream (so the archive walk can go on). */
  async drain(): Promise<void> {
    this.buffer = new Uint8Array(0);
    this.offset = 0;
    while (!this.ended) {
      const next = await this.chunks.next();
      if (next.done) this.ended = true;
      else this.position += next.value.length;
    }
  }
}
