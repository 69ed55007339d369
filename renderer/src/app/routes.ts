/**
 * The app's views and their location in the URL hash (`#/viewer?dataset=3&sample=0`), so a reload
 * or a test can open a view directly. Pure: no DOM.
 */

export const viewIds = ['projects', 'datasets', 'seismic', 'velocity', 'wavefield', 'models', 'generate', 'gallery', 'studies', 'jobs', 'settings'] as const;
export type ViewId = (typeof viewIds)[number];

export interface Route {
  view: ViewId;
  params: Record<string, string>;
}

export const defaultRoute: Route = { view: 'projects', params: {} };

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path, query = ''] = text.split('?', 2);
  const view = (viewIds as readonly string[]).includes(path) ? (path as ViewId) : defaultRoute.view;
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(query)) params[key] = value;
  return { view, params };
}

export function formatHash(route: Route): string {
  const query = new URLSearchParams(Object.entries(route.params).filter(([, v]) => v !== '')).toString();
  return `#/${route.view}${query ? `?${query}` : ''}`;
}

/** An integer parameter, or the fallback when absent or malformed. */
export function intParam(params: Record<string, string>, key: string, fallback: number): number {
  const value = Number(params[key]);
  return params[key] !== undefined && Number.isInteger(value) ? value : fallback;
}
