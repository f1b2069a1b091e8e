import { PaginationError } from './errors';

/**
 * Follows a token-paginated AWS list to its end, page by page (each page is handed over and can be
 * dropped before the next is fetched). A token seen twice would loop forever: it is an error instead.
 */
export async function forEachPage<Page>(
  api: string,
  fetchPage: (token: string | undefined) => Promise<Page>,
  nextToken: (page: Page) => string | undefined,
  onPage: (page: Page) => void,
): Promise<void> {
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    onPage(page);
    token = nextToken(page) || undefined;
    if (token !== undefined) {
      if (seen.has(token)) throw new PaginationError(api, 'the service returned the same page token twice');
      seen.add(token);
    }
  } while (token !== undefined);
}
