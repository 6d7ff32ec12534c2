/** Scans of stamped comment cards: PDF, PNG or JPEG, told by their first bytes (never by name or the browser's word). */
export type ScanType = 'application/pdf' | 'image/png' | 'image/jpeg';

export function sniffScan(bytes: Uint8Array): ScanType | undefined {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'; // %PDF-
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  return undefined;
}

/** Said when an upload is refused before its bytes are read, and by checkScan after. */
export function scanTooLarge(maxBytes: number): string {
  const mib = (maxBytes / 1024 / 1024).toFixed(1);
  return `扫描件过大（上限 ${mib} MiB）。The scan is too large (at most ${mib} MiB).`;
}

/** Why a scan cannot be kept (Chinese, then English), or undefined when it can. */
export function checkScan(bytes: Uint8Array, maxBytes: number): string | undefined {
  if (bytes.byteLength === 0) return '扫描件是空文件。The scan is an empty file.';
  if (bytes.byteLength > maxBytes) return scanTooLarge(maxBytes);
  if (!sniffScan(bytes)) return '扫描件须为 PDF、PNG 或 JPEG 文件。The scan must be a PDF, PNG or JPEG file.';
  return undefined;
}
