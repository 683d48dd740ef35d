// Modal dialogs built on <dialog>: a text prompt and a confirmation, each
// running an async action and showing its error inside the dialog.

import { $, setText } from "./dom.js";

function openDialog(dialog, focusTarget) {
  dialog.showModal();
  if (focusTarget) focusTarget.focus();
}

/**
 * Ask for one line of text, then run `action(text)`. The dialog stays open
 * and shows the error while the action fails; resolves with the action's
 * result, or null when cancelled.
 */
export function promptText({ title, label, value = "", submitLabel = "Save", action }) {
  const dialog = $("text-dialog");
  const form = $("text-dialog-form");
  const input = $("text-dialog-input");
  const okButton = $("text-dialog-ok");
  setText("text-dialog-title", title);
  setText("text-dialog-label", label);
  setText("text-dialog-error", "");
  okButton.textContent = submitLabel;
  input.value = value;

  return new Promise((resolve) => {
    let result = null;

    const onSubmit = async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) {
        setText("text-dialog-error", `Enter a ${label.toLowerCase()}.`);
        input.focus();
        return;
      }
      okButton.disabled = true;
      try {
        result = await action(text);
        dialog.close();
      } catch (error) {
        setText("text-dialog-error", error.message);
        input.focus();
      } finally {
        okButton.disabled = false;
      }
    };
    const onCancel = () => dialog.close();
    const onClose = () => {
      form.removeEventListener("submit", onSubmit);
      $("text-dialog-cancel").removeEventListener("click", onCancel);
      dialog.removeEventListener("close", onClose);
      resolve(result);
    };

    form.addEventListener("submit", onSubmit);
    $("text-dialog-cancel").addEventListener("click", onCancel);
    dialog.addEventListener("close", onClose);
    openDialog(dialog, input);
    input.select();
  });
}

/** Ask to confirm, then run `action()`; same error handling as promptText. */
export function confirmAction({ title, message, confirmLabel, action }) {
  const dialog = $("confirm-dialog");
  const confirmButton = $("confirm-dialog-ok");
  setText("confirm-dialog-title", title);
  setText("confirm-dialog-message", message);
  setText("confirm-dialog-error", "");
  confirmButton.textContent = confirmLabel;

  return new Promise((resolve) => {
    let result = null;
    const onConfirm = async () => {
      confirmButton.disabled = true;
      try {
        result = await action();
        dialog.close();
      } catch (error) {
        setText("confirm-dialog-error", error.message);
      } finally {
        confirmButton.disabled = false;
      }
    };
    const onCancel = () => dialog.close();
    const onClose = () => {
      confirmButton.removeEventListener("click", onConfirm);
      $("confirm-dialog-cancel").removeEventListener("click", onCancel);
      dialog.removeEventListener("close", onClose);
      resolve(result);
    };
    confirmButton.addEventListener("click", onConfirm);
    $("confirm-dialog-cancel").addEventListener("click", onCancel);
    dialog.addEventListener("close", onClose);
    openDialog(dialog, $("confirm-dialog-cancel"));
  });
}
