from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "visavis.accounts"
    label = "accounts"
