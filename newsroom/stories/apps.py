from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "newsroom.stories"
    label = "stories"
    verbose_name = "Stories and corrections"

    def ready(self):
        from django.db.models.signals import pre_save

        from claims.signals import claim_transitioned
        from newsroom.stories.corrections import flag_stories_on_claim_move
        from newsroom.stories.models import StoryEvent, refuse_raw_overwrite_of_story_event

        # A cited claim's move flags the published stories it no longer supports, inside the
        # move's own transaction (a failure here rolls the move back: never a silent gap).
        claim_transitioned.connect(
            flag_stories_on_claim_move, dispatch_uid="stories.flag_stories_on_claim_move"
        )
        pre_save.connect(
            refuse_raw_overwrite_of_story_event,
            sender=StoryEvent,
            dispatch_uid="stories.refuse_raw_overwrite_of_story_event",
        )
