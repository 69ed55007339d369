import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Project } from '../store/project.ts';
import { openfwiGeometry } from './acquisition.ts';
import { projectGeometry, setProjectGeometry } from './projectGeometry.ts';

const folders: string[] = [];
function newProject(): Project {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-geometry-'));
  folders.push(folder);
  return Project.create(path.join(folder, 'p'), 'geometry');
}
afterEach(() => {
  for (const f of folders.splice(0)) fs.rmSync(f, { recursive: true, force: true });
});

describe("the project's acquisition geometry", () => {
  it('keeps a PML geometry as stored, and restores OpenFWI for null', () => {
    const project = newProject();
    try {
      const pml = { ...openfwiGeometry(), boundary: { kind: 'pml' as const, widthCells: 20 } };
      setProjectGeometry(project.catalogue, pml);
      expect(projectGeometry(project.catalogue)).toEqual(pml);
      expect(setProjectGeometry(project.catalogue, null)).toEqual(openfwiGeometry());
      expect(projectGeometry(project.catalogue)).toEqual(openfwiGeometry());
    } finally {
      project.close();
    }
  });

  it('refuses a stored geometry the schema rejects, naming the field, instead of casting it', () => {
    const project = newProject();
    try {
      project.catalogue.setMeta('acquisition_geometry', JSON.stringify({ ...openfwiGeometry(), boundary: { kind: 'pml' } }));
      expect(() => projectGeometry(project.catalogue)).toThrow(/boundary\.widthCells/);
      project.catalogue.setMeta('acquisition_geometry', '{not json');
      expect(() => projectGeometry(project.catalogue)).toThrow(/not JSON/);
    } finally {
      project.close();
    }
  });
});
