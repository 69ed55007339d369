/**
 * Exposes exactly the contract's methods and events to the renderer as `window.studio`, and nothing
 * else: no ipcRenderer, no Node. Unknown names are refused here before they reach the main process.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { methodNames, eventNames } from '../main/core/contract/contract.ts';
import { ipcChannels } from '../main/core/contract/wire.ts';
import { buildPreloadApi } from './preloadApi.ts';

contextBridge.exposeInMainWorld(
  'studio',
  buildPreloadApi({
    methodNames,
    eventNames,
    invoke: (method, args) => ipcRenderer.invoke(ipcChannels.call, method, args),
    subscribe: (handler) => {
      const listener = (_event: unknown, name: string, payload: unknown): void => handler(name, payload);
      ipcRenderer.on(ipcChannels.event, listener);
      return () => ipcRenderer.off(ipcChannels.event, listener);
    },
  }),
);
