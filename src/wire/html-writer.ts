import type { Dto } from '../model/dto.js';
import { SessionInfo } from '../model/session-info.js';
import { dtoTable } from './html/dto-page.js';
import { page, type PageLinks } from './html/layout.js';
import { sessionContent } from './html/session-page.js';

/**
 * The HTML format: what a browser gets (ServiceStack's HtmlFormat answers `Accept: text/html`).
 * Sessions get a page made for people; any other DTO a plain table of its members.
 */
export function writeHtml(dto: Dto, value: Record<string, unknown>, title: string, links: PageLinks): string {
  const content = dto === SessionInfo ? sessionContent(value) : `<section>${dtoTable(dto, value)}</section>`;
  return page(title, links, content);
}
