'use client';
// One task: toggle, inline edit, delete.
import { useState, type FormEvent } from 'react';
import type { Task, TaskChanges } from '@/lib/api-client';

interface Props {
  task: Task;
  onToggle: () => Promise<void>;
  onSave: (changes: TaskChanges) => Promise<boolean>;
  onDelete: () => Promise<void>;
}

export function TaskItem({ task, onToggle, onSave, onDelete }: Props) {
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);

  async function busyWhile(work: () => Promise<unknown>) {
    setBusy(true);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const title = String(form.get('title') ?? '').trim();
    const description = String(form.get('description') ?? '').trim();
    if (!title) return;
    await busyWhile(async () => {
      if (await onSave({ title, description: description || null })) setEditing(false);
    });
  }

  if (editing) {
    return (
      <li className="task editing" data-testid="task" data-task-id={task.id}>
        <form onSubmit={onSubmit} className="edit-form" aria-label={`Edit ${task.title}`}>
          <input name="title" defaultValue={task.title} aria-label="Title" maxLength={200} required autoFocus />
          <input name="description" defaultValue={task.description ?? ''} aria-label="Description" maxLength={1000} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  }

  return (
    <li className={task.completed ? 'task done' : 'task'} data-testid="task" data-task-id={task.id}>
      <input
        type="checkbox"
        checked={task.completed}
        disabled={busy}
        onChange={() => busyWhile(onToggle)}
        aria-label={`Mark "${task.title}" as ${task.completed ? 'not done' : 'done'}`}
      />
      <div className="task-text">
        <span className="task-title">{task.title}</span>
        {task.description && <span className="task-description">{task.description}</span>}
      </div>
      <div className="actions">
        <button type="button" onClick={() => setEditing(true)} disabled={busy} aria-label={`Edit "${task.title}"`}>
          Edit
        </button>
        <button type="button" className="danger" onClick={() => busyWhile(onDelete)} disabled={busy} aria-label={`Delete "${task.title}"`}>
          Delete
        </button>
      </div>
    </li>
  );
}
