"""Natural-language understanding: what a worker's message means.

Public surface (import from the modules, so that `bot.nlu.types` stays cheap to import):

- `bot.nlu.types`: NluResult, IntentScore, Entity, Money, Duration, NluBackend, NluError
- `bot.nlu.embedded.EmbeddedNlu`: the in-process backend (`load_or_train`, `train`, `parse`)
- `bot.nlu.rasa.RasaNlu`: a Rasa server as the backend
- `bot.nlu.classifier.DEFAULT_THRESHOLD`: the confidence below which nothing is understood
- `bot.nlu.language.detect_language`: "id", "en" or None
- `bot.nlu.entities.extract_entities`: country, money, duration, date and phone
- `bot.nlu.data.load_rasa`, `DataError`: the training data

The rest (normalize, lexicon, features, cache, evaluate) is implementation.
"""
