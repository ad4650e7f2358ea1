"""The evaluation on the test images: metrics as a JSON-ready dict, and the text
``train`` and ``evaluate`` print."""

import numpy as np


def compute_metrics(y_true, y_pred, task):
    """Accuracy, precision, recall, F1 (per digit for ten classes), the confusion
    matrix and the first ten predictions, as plain Python values."""
    from sklearn.metrics import (
        accuracy_score,
        classification_report,
        confusion_matrix,
        f1_score,
        precision_score,
        recall_score,
    )

    metrics = {"model": task.name, "n_test": len(y_true)}
    metrics["accuracy"] = float(accuracy_score(y_true, y_pred))
    if task.digit is not None:
        labels = [0, 1]
        for name, score in [
            ("precision", precision_score),
            ("recall", recall_score),
            ("f1", f1_score),
        ]:
            metrics[name] = float(score(y_true, y_pred, zero_division=0))
        metrics["base_rate"] = float(np.mean(y_true))
    else:
        labels = list(range(10))
        metrics["per_class"] = classification_report(
            y_true, y_pred, labels=labels, output_dict=True, zero_division=0
        )
    metrics["confusion_matrix"] = confusion_matrix(
        y_true, y_pred, labels=labels
    ).tolist()
    metrics["first_ten"] = {
        "predicted": [int(value) for value in y_pred[:10]],
        "label": [int(value) for value in y_true[:10]],
    }
    return metrics


def format_report(metrics, task):
    """The metrics as the text ``train`` and ``evaluate`` print."""
    lines = ["", f"Test set: {metrics['n_test']} images"]
    if task.digit is not None:
        labels = [0, 1]
        for name, key in [
            ("accuracy", "accuracy"),
            ("precision", "precision"),
            ("recall", "recall"),
            ("F1", "f1"),
        ]:
            lines.append(f"  {name:<10} {metrics[key]:.4f}")
        lines.append(
            f"  (always answering 'not {task.digit}' would score "
            f"{1 - metrics['base_rate']:.4f} accuracy)"
        )
    else:
        labels = list(range(10))
        lines.append(f"  accuracy   {metrics['accuracy']:.4f}")
        lines += ["", "  digit  precision     recall         F1    support"]
        for label in labels:
            row = metrics["per_class"][str(label)]
            lines.append(
                f"  {label:>5} {row['precision']:>10.4f} {row['recall']:>10.4f} "
                f"{row['f1-score']:>10.4f} {int(row['support']):>10}"
            )
    names = [str(name) for name in task.label_names(labels)]
    lines += [
        "",
        "Confusion matrix (rows: true, columns: predicted):",
        _matrix_table(np.asarray(metrics["confusion_matrix"]), names),
        "",
    ]
    if task.digit is not None:
        lines.append(
            f"First ten predictions vs labels (1 = a {task.digit}, 0 = another digit):"
        )
    else:
        lines.append("First ten predictions vs labels:")
    first = metrics["first_ten"]
    lines.append("  predicted  " + " ".join(map(str, first["predicted"])))
    lines.append("  label      " + " ".join(map(str, first["label"])))
    return "\n".join(lines)


def _matrix_table(matrix, names):
    width = max(6, *(len(name) for name in names), len(str(matrix.max())))
    header = " " * (width + 2) + " ".join(f"{name:>{width}}" for name in names)
    rows = [
        f"  {name:<{width}}" + " ".join(f"{value:>{width}}" for value in row)
        for name, row in zip(names, matrix, strict=True)
    ]
    return "\n".join([header, *rows])
