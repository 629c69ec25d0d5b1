import { crc32, deflateSync } from 'node:zlib';

/** An 8-bit RGB (3 channels) or RGBA (4 channels) image, rows top to bottom. */
interface Image {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly pixels: Uint8Array;
}

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const pngChunk = (type: string, data: Uint8Array): Buffer => {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  chunk.set(data, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
};

/** A PNG of the image: colour type 2 (RGB) or 6 (RGBA), no interlace, filter 0 on every row. */
export const encodePng = ({ width, height, channels, pixels }: Image): Buffer => {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, channels === 4 ? 6 : 2, 0, 0, 0], 8);
  const rowBytes = width * channels;
  const scanlines = Buffer.alloc(height * (rowBytes + 1));
  for (let y = 0; y < height; y++)
    scanlines.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(scanlines, { level: 9 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
};

/** A lightning bolt (a hot fix, fast), in a unit square. */
const BOLT: readonly (readonly [number, number])[] = [
  [0.55, 0.05],
  [0.74, 0.05],
  [0.59, 0.38],
  [0.78, 0.38],
  [0.36, 0.95],
  [0.46, 0.52],
  [0.26, 0.52],
];

const insideBolt = (x: number, y: number): boolean => {
  let inside = false;
  for (let i = 0, j = BOLT.length - 1; i < BOLT.length; j = i++) {
    const [xi, yi] = BOLT[i] ?? [0, 0];
    const [xj, yj] = BOLT[j] ?? [0, 0];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};

const SAMPLES = 4;

/** How much of pixel (px, py) the bolt covers (0..1), drawn in a box of `size` pixels at `inset`. */
const boltCoverage = (px: number, py: number, inset: number, size: number): number => {
  let hits = 0;
  for (let sy = 0; sy < SAMPLES; sy++)
    for (let sx = 0; sx < SAMPLES; sx++) {
      const x = (px + (sx + 0.5) / SAMPLES - inset) / size;
      const y = (py + (sy + 0.5) / SAMPLES - inset) / size;
      if (insideBolt(x, y)) hits++;
    }
  return hits / (SAMPLES * SAMPLES);
};

const hexRgb = (hex: string): [number, number, number] => {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
};

/** Teams' full-colour icon: 192×192, a white bolt on the accent colour, the bolt inside the central safe area. */
export const colorIconPng = (accentColor: string): Buffer => {
  const size = 192;
  const [r, g, b] = hexRgb(accentColor);
  const pixels = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const white = boltCoverage(x, y, 36, 120);
      const at = (y * size + x) * 3;
      pixels[at] = Math.round(r + (255 - r) * white);
      pixels[at + 1] = Math.round(g + (255 - g) * white);
      pixels[at + 2] = Math.round(b + (255 - b) * white);
    }
  return encodePng({ width: size, height: size, channels: 3, pixels });
};

/** Teams' outline icon: 32×32, the bolt in white on a transparent background (Teams tints it). */
export const outlineIconPng = (): Buffer => {
  const size = 32;
  const pixels = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const at = (y * size + x) * 4;
      pixels.set([255, 255, 255, Math.round(255 * boltCoverage(x, y, 1, 30))], at);
    }
  return encodePng({ width: size, height: size, channels: 4, pixels });
};
