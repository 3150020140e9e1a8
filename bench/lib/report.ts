import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Figure {
  name: string;
  value: number;
  unit: string;
}

/** Collects figures, prints each as `name=value unit`, and writes them all as JSON at the end. */
export class Report {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];

  record(name: string, value: number, unit: string): void {
    const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
    this.figures.push({ name, value: rounded, unit });
    console.log(`${name}=${rounded} ${unit}`);
  }

  note(text: string): void {
    this.notes.push(text);
    console.log(`# ${text}`);
  }

  async save(dir: string, meta: Record<string, unknown>): Promise<string> {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify({ ...meta, figures: this.figures, notes: this.notes }, null, 2)}\n`);
    return file;
  }
}

/** The p-th percentile (0..100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
