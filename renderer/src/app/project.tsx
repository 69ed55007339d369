import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ProjectInfo } from '../../../main/core/contract/contract.ts';
import { useApiEvent, useApiQuery } from '../api/hooks.ts';

interface CurrentProject {
  project: ProjectInfo | null;
  /** False until the first `project.current` answer. */
  known: boolean;
}

const ProjectContext = createContext<CurrentProject>({ project: null, known: false });

/** The open project, from `project.current` and kept current by `project.changed`. */
export function ProjectProvider({ children }: { children: ReactNode }) {
  const query = useApiQuery('project.current', {}, { refreshOnProjectChange: false });
  const [state, setState] = useState<CurrentProject>({ project: null, known: false });
  useEffect(() => {
    if (query.data !== undefined) setState({ project: query.data, known: true });
  }, [query.data]);
  useApiEvent('project.changed', (project) => setState({ project, known: true }));
  return <ProjectContext.Provider value={state}>{children}</ProjectContext.Provider>;
}

export function useCurrentProject(): CurrentProject {
  return useContext(ProjectContext);
}
