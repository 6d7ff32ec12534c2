/**
 * The page model the layout produces and the drawer emits: positioned lines, rules, boxes, images,
 * destinations and outline entries. `Flow` is the cursor that fills pages top to bottom and records
 * what text landed on which page (for page references).
 */
import { CONTENT_BOTTOM, PAGE } from './config.js';
import type { Line } from './linebreak.js';

export type Item =
  /** A line of text; `y` is its baseline; `cs` the extra spacing after each character. */
  | { k: 'text'; x: number; y: number; line: Line; cs: number; gray?: boolean }
  | { k: 'rect'; x: number; y: number; w: number; h: number; lineWidth: number; dash?: boolean; fill?: string }
  | { k: 'rule'; x1: number; y1: number; x2: number; y2: number; lineWidth: number; dots?: boolean }
  | { k: 'image'; x: number; y: number; w: number; h: number; src: string }
  | { k: 'dest'; name: string; y: number }
  | { k: 'outline'; level: number; title: string; y: number }
  | { k: 'link'; x: number; y: number; w: number; h: number; dest: string };

export interface Page {
  /** Front pages (cover, staff, revision notes, contents) have no footer and no number. */
  front: boolean;
  /** The printed number ("- N -") of a body page. */
  number?: number;
  items: Item[];
}

/** A line of laid-out text, for finding quotations. */
export interface StreamEntry {
  page: number;
  text: string;
}

export class Flow {
  readonly pages: Page[] = [];
  readonly stream: StreamEntry[] = [];
  y: number = PAGE.marginTop;
  /** Index of the page being filled. */
  current = -1;
  /** Page of the last content placed (for section end pages). */
  lastContentPage = -1;
  /** Index of the first body page, once the body starts. */
  bodyStart = -1;
  private front = true;

  get page(): Page {
    return this.pages[this.current]!;
  }

  get bottom(): number {
    return CONTENT_BOTTOM;
  }

  get top(): number {
    return PAGE.marginTop;
  }

  /** Room left on the current page. */
  get room(): number {
    return this.bottom - this.y;
  }

  get atTop(): boolean {
    return this.current >= 0 && this.y <= this.top + 0.01;
  }

  startBody(): void {
    this.front = false;
    this.newPage();
    this.bodyStart = this.current;
  }

  newPage(): void {
    const number = this.front ? undefined : this.pages.filter((p) => !p.front).length + 1;
    this.pages.push({ front: this.front, number, items: [] });
    this.current = this.pages.length - 1;
    this.y = this.top;
  }

  /** Starts a new page unless the current one is still empty. */
  freshPage(): void {
    if (this.current < 0 || !this.atTop || this.page.items.some((i) => i.k !== 'dest')) this.newPage();
  }

  /** Makes sure `h` points fit, breaking the page if not (and if a break helps). */
  need(h: number): void {
    if (this.current < 0) this.newPage();
    if (this.y + h > this.bottom + 0.01 && !this.atTop) this.newPage();
  }

  push(item: Item): void {
    this.page.items.push(item);
    if (item.k === 'text' || item.k === 'rect' || item.k === 'image') this.lastContentPage = this.current;
  }

  record(text: string, page = this.current): void {
    this.stream.push({ page, text });
  }
}
