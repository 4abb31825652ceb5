"""Bills of materials and model cards: CycloneDX, SPDX 3, Hugging Face model cards."""
