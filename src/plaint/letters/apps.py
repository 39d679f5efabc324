from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "plaint.letters"
    label = "letters"
    verbose_name = "Letters generated from cases"
