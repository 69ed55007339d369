import { createContext, useContext } from 'react';
import type { Route, ViewId } from './routes.ts';

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
