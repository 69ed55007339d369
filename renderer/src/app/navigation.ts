import { createContext, useContext } from 'react';
import { formatHash, type Route, type ViewId } from './routes.ts';

export interface Navigation {
  route: Route;
  navigate: (view: ViewId, params?: Record<string, string>) => void;
}

export const NavigationContext = createContext<Navigation | null>(null);

export function useNavigation(): Navigation {
  const nav = useContext(NavigationContext);
  if (!nav) throw new Error('useNavigation() needs the app shell above it.');
  return nav;
}

/** Puts a view's state in the URL hash (so a reload or a link returns to it) without a history entry or a navigation. */
export function replaceRoute(route: Route): void {
  const hash = formatHash(route);
  if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
}
